/**
 * Resource ids as Gnocchi reads them (`utils.ResourceUUID`): a UUID in any form Python takes is
 * kept (canonicalised); any other string is an external id, hashed into a name-based UUID (version
 * 5) of `value NUL creator` under Gnocchi's namespace, so that the same string gives the same id
 * as Gnocchi would, and different users' `host-1` stay apart.
 */
import { createHash } from 'node:crypto';

import { InvalidResourceIdError } from './errors.ts';
import { normalizeUuid } from './uuid.ts';

/** Gnocchi's namespace for external resource ids. */
export const RESOURCE_ID_NAMESPACE = '0a7a15ff-aa13-4ac2-897c-9bdf30ce175b';

/** The longest external id, as Gnocchi HEAD (4.4.2 allowed 255). */
export const MAX_RESOURCE_ID_LENGTH = 289;

const NAMESPACE_BYTES = Buffer.from(RESOURCE_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * The UUID a client's resource id stands for, for the calling `creator` (undefined: none).
 * Throws `InvalidResourceIdError` for a `/` or an id too long to transform.
 */
export function transformResourceId(value: string, creator: string | undefined): string {
  if (value.includes('/')) throw new InvalidResourceIdError("'/' is not supported in resource id");
  const uuid = normalizeUuid(value);
  if (uuid !== undefined) return uuid;
  // NOTE: Python counts code points, as Array.from does.
  if (Array.from(value).length > MAX_RESOURCE_ID_LENGTH) {
    throw new InvalidResourceIdError(
      `transformable resource id >${MAX_RESOURCE_ID_LENGTH} max allowed characters`,
    );
  }
  return uuid5(`${value}\u0000${creator ?? '\u0000'}`);
}

/** RFC 4122 version 5 UUID of `name` (UTF-8) in Gnocchi's namespace. */
function uuid5(name: string): string {
  const digest = createHash('sha1').update(NAMESPACE_BYTES).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
