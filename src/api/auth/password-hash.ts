/**
 * Password hashes of the `verified` auth mode: scrypt, a memory-hard KDF from Node's crypto, with
 * a random salt per hash. A hash names its parameters (`scrypt$N$r$p$salt$digest`, base64), so that
 * they can be raised later without invalidating the hashes already stored.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost parameters: 2^15 × 8 takes 32 MiB and tens of milliseconds per hash. */
export const SCRYPT_PARAMETERS = { N: 2 ** 15, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const DIGEST_BYTES = 32;
const PREFIX = 'scrypt';

/** A new hash of the password, with a fresh salt. */
export async function hashPassword(
  password: string,
  parameters: { readonly N: number; readonly r: number; readonly p: number } = SCRYPT_PARAMETERS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const digest = await derive(password, salt, parameters);
  const { N, r, p } = parameters;
  return [PREFIX, N, r, p, salt.toString('base64'), digest.toString('base64')].join('$');
}

/** Whether the password is the one hashed, compared in constant time; false for a bad hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (parsed === undefined) return false;
  const digest = await derive(password, parsed.salt, parsed);
  return digest.length === parsed.digest.length && timingSafeEqual(digest, parsed.digest);
}

function parseHash(
  hash: string,
): { N: number; r: number; p: number; salt: Buffer; digest: Buffer } | undefined {
  const [prefix, n, r, p, salt, digest, ...rest] = hash.split('$');
  if (prefix !== PREFIX || salt === undefined || digest === undefined || rest.length > 0) {
    return undefined;
  }
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (![N, R, P].every((value) => Number.isSafeInteger(value) && value > 0)) return undefined;
  return {
    N,
    r: R,
    p: P,
    salt: Buffer.from(salt, 'base64'),
    digest: Buffer.from(digest, 'base64'),
  };
}

function derive(
  password: string,
  salt: Buffer,
  { N, r, p }: { readonly N: number; readonly r: number; readonly p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // NOTE: scrypt needs 128·N·r bytes; twice that leaves room for Node's own bookkeeping.
    scrypt(
      password.normalize('NFC'),
      salt,
      DIGEST_BYTES,
      { N, r, p, maxmem: 256 * N * r },
      (error, key) => {
        if (error === null) resolve(key);
        else reject(error);
      },
    );
  });
}
