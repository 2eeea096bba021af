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
const cache = new Map<string, Glob>();

/** One step of a glob: any run, any one character, one literal, or a bracket set. */
type GlobToken =
  | { readonly kind: 'star' }
  | { readonly kind: 'any' }
  | { readonly kind: 'literal'; readonly codePoint: number }
  | {
      readonly kind: 'set';
      readonly negated: boolean;
      /** Inclusive code point ranges (a single member is a range of one). */
      readonly ranges: readonly (readonly [number, number])[];
    };

/** A compiled glob. */
export interface Glob {
  /** Whether the whole of `name` matches, in time linear in the name times the pattern. */
  test(name: string): boolean;
}

/** Whether `name` matches the glob `pattern`, with Python's `fnmatch.fnmatchcase` semantics. */
export function fnmatchCase(name: string, pattern: string): boolean {
  return compileGlob(pattern).test(name);
}

/** The glob `pattern`, compiled (cached). */
export function compileGlob(pattern: string): Glob {
  let glob = cache.get(pattern);
  if (glob === undefined) {
    const tokens = tokenize(pattern);
    glob = { test: (name) => matchTokens(tokens, name) };
    // NOTE: rules are few, so overflowing means churn from elsewhere; starting over is enough.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, glob);
  }
  return glob;
}

/**
 * Matches with one remembered star: on a mismatch, the last star takes one more character and
 * matching resumes after it. Earlier stars never need to take more (a later star can absorb
 * anything they would), so this is O(name × pattern), where a backtracking regular expression
 * is exponential in the number of stars.
 */
function matchTokens(tokens: readonly GlobToken[], name: string): boolean {
  const chars = Array.from(name, (char) => char.codePointAt(0) ?? 0);
  let t = 0;
  let c = 0;
  let starToken = -1;
  let starChar = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token?.kind === 'star') {
      starToken = t++;
      starChar = c;
    } else if (token !== undefined && matchesOne(token, chars[c] as number)) {
      t++;
      c++;
    } else if (starToken !== -1) {
      t = starToken + 1;
      c = ++starChar;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

function matchesOne(token: Exclude<GlobToken, { kind: 'star' }>, codePoint: number): boolean {
  switch (token.kind) {
    case 'any':
      return true;
    case 'literal':
      return token.codePoint === codePoint;
    case 'set': {
      const inside = token.ranges.some(([low, high]) => codePoint >= low && codePoint <= high);
      return inside !== token.negated;
    }
  }
}

function tokenize(pattern: string): GlobToken[] {
  const chars = Array.from(pattern);
  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < chars.length) {
    const char = chars[i] as string;
    i += 1;
    if (char === '*') {
      while (chars[i] === '*') i += 1;
      tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '[') {
      const set = readSet(chars, i);
      if (set === undefined) tokens.push(literal(char));
      else {
        tokens.push(set.token);
        i = set.end;
      }
    } else {
      tokens.push(literal(char));
    }
  }
  return tokens;
}

/** The bracket expression opening just before `start`, or undefined when it never closes. */
function readSet(
  chars: readonly string[],
  start: number,
): { token: GlobToken; end: number } | undefined {
  let close = start;
  if (chars[close] === '!') close += 1;
  if (chars[close] === ']') close += 1;
  while (close < chars.length && chars[close] !== ']') close += 1;
  if (close >= chars.length) return undefined;
  const negated = chars[start] === '!';
  const members = chars.slice(negated ? start + 1 : start, close).map(codePointOf);
  const ranges: [number, number][] = [];
  for (let k = 0; k < members.length; k += 1) {
    const low = members[k] as number;
    const high = members[k + 2];
    if (chars[(negated ? start + 1 : start) + k + 1] === '-' && high !== undefined) {
      k += 2;
      // NOTE: Python drops a reversed range.
      if (low <= high) ranges.push([low, high]);
    } else {
      ranges.push([low, low]);
    }
  }
  return { token: { kind: 'set', negated, ranges }, end: close + 1 };
}

function literal(char: string): GlobToken {
  return { kind: 'literal', codePoint: codePointOf(char) };
}

function codePointOf(char: string): number {
  return char.codePointAt(0) ?? 0;
}
