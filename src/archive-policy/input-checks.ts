/**
 * Shape checks for request bodies that arrive as parsed JSON, reporting with the wording of
 * Gnocchi's REST schema (voluptuous) so clients that match on it keep working. Internal to this
 * folder: each caller passes the function that builds its own error.
 */
import type { InputPath } from './errors.ts';

/** Builds and throws the caller's error for a field. */
export type FailField = (message: string, path: InputPath) => never;

/** What Python's `int()` accepts as text: digits, optionally signed, with single underscores. */
const INT_STRING = /^\s*[+-]?\d(?:_?\d)*\s*$/;

/** The value as an object with only the allowed keys (all of `required` present). */
export function expectRecord(
  value: unknown,
  path: InputPath,
  keys: { readonly required: readonly string[]; readonly optional: readonly string[] },
  fail: FailField,
): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('expected a dictionary', path);
  }
  const record = value as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(record)) {
    if (!keys.required.includes(key) && !keys.optional.includes(key)) {
      fail('extra keys not allowed', [...path, key]);
    }
  }
  for (const key of keys.required) {
    if (record[key] === undefined) fail('required key not provided', [...path, key]);
  }
  return record;
}

/** The value as a string. */
export function expectString(value: unknown, path: InputPath, fail: FailField): string {
  if (typeof value !== 'string') fail('expected str', path);
  return value;
}

/** The value as a list. */
export function expectList(value: unknown, path: InputPath, fail: FailField): readonly unknown[] {
  if (!Array.isArray(value)) fail('expected a list', path);
  return value as readonly unknown[];
}

/** Refuses a string longer than `max` characters (code points, as Python counts them). */
export function checkMaxLength(
  value: string,
  max: number,
  path: InputPath,
  fail: FailField,
): string {
  if (Array.from(value).length > max) fail(`length of value must be at most ${max}`, path);
  return value;
}

/**
 * The value coerced as Python's `int()` does for a JSON number or string (the REST schema's
 * `Coerce(int)`): a number is truncated toward zero, a string must spell an integer.
 */
export function coerceInt(value: unknown, path: InputPath, fail: FailField): number {
  let result = Number.NaN;
  if (typeof value === 'number' && Number.isFinite(value)) result = Math.trunc(value);
  else if (typeof value === 'string' && INT_STRING.test(value)) {
    result = Number(value.replaceAll('_', '').trim());
  }
  if (!Number.isSafeInteger(result)) fail('expected int', path);
  // NOTE: Math.trunc(-0.5) is -0; normalise so that it renders as 0.
  return result === 0 ? 0 : result;
}
