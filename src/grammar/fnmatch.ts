/**
 * Shell-style globs as Python's `fnmatch.fnmatchcase` reads them, which is how Gnocchi matches
 * archive policy rules against metric names (on Linux, where `fnmatch.fnmatch` is case-sensitive).
 *
 * - `*` matches any run of characters, `?` exactly one, newlines included.
 * - `[seq]` matches one character of the set and `[!seq]` one outside it; `a-z` is a range by code
 *   point, a `]` right after `[` or `[!` is a member, and a `-` first or last is literal. A range
 *   whose ends are reversed (`z-a`) is dropped, so `[z-a]` matches nothing and `[!z-a]` anything.
 * - A `[` without a closing `]` is a literal `[`; there is no escape character.
 * - The whole name must match. Characters are Unicode code points, as in Python strings.
 */

/** Compiled patterns are cached, since the same few rule patterns are matched over and over. */
const CACHE_LIMIT = 1024;
const cache = new Map<string, RegExp>();

/** Whether `name` matches the glob `pattern`, with Python's `fnmatch.fnmatchcase` semantics. */
export function fnmatchCase(name: string, pattern: string): boolean {
  return compileGlob(pattern).test(name);
}

/** The glob `pattern` as an anchored regular expression (cached). */
export function compileGlob(pattern: string): RegExp {
  let regexp = cache.get(pattern);
  if (regexp === undefined) {
    regexp = new RegExp(`^(?:${translateGlob(pattern)})$`, 'su');
    // NOTE: rules are few, so overflowing means churn from elsewhere; starting over is enough.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, regexp);
  }
  return regexp;
}

function translateGlob(pattern: string): string {
  const chars = Array.from(pattern);
  let source = '';
  let i = 0;
  while (i < chars.length) {
    const char = chars[i] as string;
    i += 1;
    if (char === '*') {
      while (chars[i] === '*') i += 1;
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else if (char === '[') {
      const set = translateSet(chars, i);
      if (set === undefined) {
        source += escapeChar(char);
      } else {
        source += set.source;
        i = set.end;
      }
    } else {
      source += escapeChar(char);
    }
  }
  return source;
}

/** The bracket expression opening just before `start`, or undefined when it never closes. */
function translateSet(
  chars: readonly string[],
  start: number,
): { source: string; end: number } | undefined {
  let close = start;
  if (chars[close] === '!') close += 1;
  if (chars[close] === ']') close += 1;
  while (close < chars.length && chars[close] !== ']') close += 1;
  if (close >= chars.length) return undefined;
  const negated = chars[start] === '!';
  const members = chars.slice(negated ? start + 1 : start, close);
  let body = '';
  for (let k = 0; k < members.length; k += 1) {
    const low = members[k] as string;
    const high = members[k + 2];
    if (members[k + 1] === '-' && high !== undefined) {
      k += 2;
      // NOTE: a reversed range is invalid in a regular expression; Python drops it.
      if (compareChars(low, high) <= 0) body += `${escapeChar(low)}-${escapeChar(high)}`;
    } else {
      body += escapeChar(low);
    }
  }
  return { source: `[${negated ? '^' : ''}${body}]`, end: close + 1 };
}

function compareChars(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}

/** A character as a regular-expression literal, valid both inside and outside a class. */
function escapeChar(char: string): string {
  if (/^[A-Za-z0-9_]$/.test(char)) return char;
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}
