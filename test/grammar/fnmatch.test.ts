import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileGlob, fnmatchCase } from '../../src/grammar/fnmatch.ts';

describe('fnmatchCase', () => {
  // Expected results are Python's fnmatch.fnmatchcase(name, pattern).
  const rows: [pattern: string, name: string, matches: boolean][] = [
    ['*', '', true],
    ['*', 'anything at all', true],
    ['*', 'multi\nline', true],
    ['', '', true],
    ['', 'x', false],
    ['disk.*', 'disk.io', true],
    ['disk.*', 'disk.', true],
    ['disk.*', 'disk', false],
    ['disk.*', 'diskXio', false],
    ['disk.*', 'DISK.io', false],
    ['disk.foo.*', 'disk.foo.bar', true],
    ['disk.foo.*', 'disk.bar', false],
    ['cpu', 'cpu', true],
    ['cpu', 'cpu.util', false],
    ['cpu', 'my cpu', false],
    ['*.util', 'cpu.util', true],
    ['a**b', 'ab', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['?', 'a', true],
    ['?', '', false],
    ['?', 'ab', false],
    ['?', '\n', true],
    ['?', '😀', true],
    ['a?c', 'abc', true],
    ['[abc]', 'b', true],
    ['[abc]', 'd', false],
    ['[!abc]', 'd', true],
    ['[!abc]', 'a', false],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[!a-c]', 'd', true],
    ['[]]', ']', true],
    ['[]a]', 'a', true],
    ['[!]]', ']', false],
    ['[!]]', 'x', true],
    ['[a-]', '-', true],
    ['[-a]', '-', true],
    ['[a-c-e]', '-', true],
    ['[a-c-e]', 'd', false],
    ['[a-c-e]', 'e', true],
    ['[--0]', '.', true],
    ['[z-a]', 'm', false],
    ['[z-a]', 'z', false],
    ['[!z-a]', 'm', true],
    ['[az-ab]', 'b', true],
    ['[az-ab]', 'z', false],
    ['[c-b-a]', '-', true],
    ['[c-b-a]', 'b', false],
    ['[', '[', true],
    ['[abc', '[abc', true],
    ['[abc', 'a', false],
    ['[]', '[]', true],
    ['[!]', '[!]', true],
    ['[*]', '*', true],
    ['[*]', 'x', false],
    ['[?]', '?', true],
    ['[\\]', '\\', true],
    ['[^a]', '^', true],
    ['[^a]', 'b', false],
    ['[a&&b]', '&', true],
    ['[a||b]', '|', true],
    ['[~~]', '~', true],
    ['[é-ê]', 'é', true],
    ['[😀-😂]', '😁', true],
    ['[😀-😂]', '\ud83d', false],
    // characters special to regular expressions are literal
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['a+', 'a+', true],
    ['a+', 'aa', false],
    ['(a|b)', '(a|b)', true],
    ['(a|b)', 'a', false],
    ['{1,2}', '{1,2}', true],
    ['^a$', '^a$', true],
    ['a\\*', 'a\\xyz', true],
    ['a\\*', 'a*', false],
    ['$1', '$1', true],
    ['/', '/', true],
    ['\\d', '\\d', true],
    ['\\d', '1', false],
  ];
  for (const [pattern, name, matches] of rows) {
    it(`${matches ? 'matches' : 'does not match'} ${JSON.stringify(name)} with ${JSON.stringify(pattern)}`, () => {
      assert.equal(fnmatchCase(name, pattern), matches);
    });
  }

  it('compiles each pattern once', () => {
    assert.equal(compileGlob('disk.*'), compileGlob('disk.*'));
  });

  it(
    'matches in time linear in name × pattern, where a backtracking regexp is exponential',
    { timeout: 10_000 },
    () => {
      // NOTE: a regular expression takes about 5 s for 36 characters here, ×2.5 per 2 more.
      const pattern = `${'*a'.repeat(12)}*b`;
      assert.equal(fnmatchCase('a'.repeat(400), pattern), false);
      assert.equal(fnmatchCase(`${'a'.repeat(400)}b`, pattern), true);
      assert.equal(fnmatchCase('x'.repeat(10_000), `${'*?'.repeat(50)}*y`), false);
    },
  );
});
