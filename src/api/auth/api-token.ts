/**
 * API tokens of the `verified` auth mode: `orzo_<id>_<secret>`. The id is public (listed, used to
 * revoke); the secret is 256 random bits, stored only as its SHA-256 — a digest is enough for a
 * secret that long, and it keeps a token check to one hash instead of a KDF.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'orzo';
const TOKEN = /^orzo_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A token as issued: its id, the digest to store, and the text given once to its holder. */
export interface IssuedToken {
  readonly id: string;
  readonly secretHash: string;
  readonly text: string;
}

/** A fresh token. */
export function issueApiToken(): IssuedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secretHash: digestOf(secret), text: `${PREFIX}_${id}_${secret}` };
}

/** The id and secret of a token's text, or undefined when it is not shaped as one. */
export function parseApiToken(text: string): { id: string; secret: string } | undefined {
  const match = TOKEN.exec(text);
  return match === null ? undefined : { id: match[1] ?? '', secret: match[2] ?? '' };
}

/** Whether the secret is the one whose digest is stored, compared in constant time. */
export function tokenSecretMatches(secret: string, secretHash: string): boolean {
  const actual = Buffer.from(digestOf(secret), 'hex');
  const expected = Buffer.from(secretHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
