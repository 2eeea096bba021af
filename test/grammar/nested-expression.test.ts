import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidOperationsStringError } from '../../src/grammar/errors.ts';
import { MAX_NESTING, parseNestedExpression } from '../../src/grammar/nested-expression.ts';

describe('parseNestedExpression', () => {
  // Expected results are pyparsing 3's OneOrMore(nestedExpr()).parseString(text).asList()[0].
  const parsed: [string, unknown][] = [
    [
      '(aggregate mean (metric cpu.util mean))',
      ['aggregate', 'mean', ['metric', 'cpu.util', 'mean']],
    ],
    ['  (metric a mean) junk', ['metric', 'a', 'mean']],
    ['(metric a mean) (foo)', ['metric', 'a', 'mean']],
    ['(metric a\nmean)', ['metric', 'a', 'mean']],
    ['((metric a mean))', [['metric', 'a', 'mean']]],
    ['()', []],
    ['(metric "a b" mean)', ['metric', '"a b"', 'mean']],
    ["(metric 'a b' mean)", ['metric', "'a b'", 'mean']],
    ['(a "b)', ['a', '"b']],
    ['(ab"c d")', ['ab', '"c d"']],
    ['(+ (metric (a mean) (b mean)) 2.0)', ['+', ['metric', ['a', 'mean'], ['b', 'mean']], '2.0']],
    ['(≥ x 1)', ['≥', 'x', '1']],
  ];
  for (const [text, expected] of parsed) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseNestedExpression(text), expected);
    });
  }

  const refused: [string, string][] = [
    ['', "Expected '('  (at char 0), (line:1, col:1)"],
    ['   ', "Expected '(', found end of text  (at char 3), (line:1, col:4)"],
    ['x', "Expected '(', found 'x'  (at char 0), (line:1, col:1)"],
    ['metric a mean', "Expected '(', found 'metric'  (at char 0), (line:1, col:1)"],
    ['-abc x', "Expected '(', found '-'  (at char 0), (line:1, col:1)"],
    [')', "Expected '(', found ')'  (at char 0), (line:1, col:1)"],
    ['\n\n  x', "Expected '(', found 'x'  (at char 4), (line:3, col:3)"],
    ['(metric a mean', "Expected ')', found end of text  (at char 14), (line:1, col:15)"],
    ['(a (b)', "Expected ')', found end of text  (at char 6), (line:1, col:7)"],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${JSON.stringify(text)} in pyparsing's words`, () => {
      assert.throws(() => parseNestedExpression(text), {
        name: 'InvalidOperationsStringError',
        message,
      });
    });
  }

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = '('.repeat(MAX_NESTING + 1) + ')'.repeat(MAX_NESTING + 1);
    assert.throws(() => parseNestedExpression(deep), InvalidOperationsStringError);
    const fine = '('.repeat(MAX_NESTING) + ')'.repeat(MAX_NESTING);
    assert.ok(Array.isArray(parseNestedExpression(fine)));
  });
});
