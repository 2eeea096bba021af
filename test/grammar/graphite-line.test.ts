import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  GraphiteLineError,
  MAX_GRAPHITE_PATH_LENGTH,
  parseGraphiteLine,
} from '../../src/grammar/graphite-line.ts';

describe('parseGraphiteLine', () => {
  it('reads path, value and Unix seconds, fractions included', () => {
    assert.deepEqual(parseGraphiteLine('web01.cpu.user 12.5 1767225600'), {
      path: 'web01.cpu.user',
      value: 12.5,
      timestampUs: 1_767_225_600_000_000,
    });
    assert.deepEqual(parseGraphiteLine('a.b\t-3e2\t1767225600.25'), {
      path: 'a.b',
      value: -300,
      timestampUs: 1_767_225_600_250_000,
    });
  });

  it('takes -1, N or no timestamp as now', () => {
    for (const line of ['a.b 1 -1', 'a.b 1 N', 'a.b 1']) {
      assert.deepEqual(parseGraphiteLine(line), { path: 'a.b', value: 1, timestampUs: undefined });
    }
  });

  it('skips blank lines and nan values, as carbon does', () => {
    assert.equal(parseGraphiteLine(''), undefined);
    assert.equal(parseGraphiteLine('   '), undefined);
    assert.equal(parseGraphiteLine('a.b nan 1767225600'), undefined);
    assert.equal(parseGraphiteLine('a.b -NaN 1767225600'), undefined);
  });

  for (const [text, reason] of [
    ['a.b', /no value/],
    ['a.b 1 2 3', /more than three/],
    ['a..b 1 1767225600', /empty component/],
    ['.a 1 1767225600', /empty component/],
    ['a/b 1 1767225600', /'\/' is not supported/],
    ['a.b one 1767225600', /not a number/],
    ['a.b inf 1767225600', /not a number/],
    ['a.b 1 yesterday', /not Unix seconds/],
    ['a.b 1 -5', /not Unix seconds/],
    [`${'p'.repeat(MAX_GRAPHITE_PATH_LENGTH + 1)} 1 1`, /path longer/],
  ] as const) {
    it(`refuses ${JSON.stringify(text.slice(0, 30))}`, () => {
      assert.throws(
        () => parseGraphiteLine(text),
        (error: unknown) => {
          assert.ok(error instanceof GraphiteLineError);
          assert.match(error.message, reason);
          return true;
        },
      );
    });
  }

  it('reads back any well-formed line', () => {
    const path = fc
      .array(fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join('.'));
    fc.assert(
      fc.property(
        path,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        (metric, value, seconds) => {
          const parsed = parseGraphiteLine(`${metric} ${String(value)} ${String(seconds)}`);
          assert.deepEqual(parsed, {
            path: metric,
            value: value || 0,
            timestampUs: seconds * 1_000_000,
          });
        },
      ),
    );
  });

  it('only ever answers a line, nothing, or a GraphiteLineError (truncated, oversized, junk)', () => {
    const valid = fc.constantFrom('a.b.c 1.5 1767225600', 'x 2', 'servers.web01.load -1 N');
    const mangled = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(valid, fc.nat(25)).map(([text, cut]) => text.slice(0, cut)),
      fc.tuple(valid, fc.string({ maxLength: 5 })).map(([text, junk]) => text + junk),
      fc.nat(5000).map((size) => `${'a.'.repeat(size)}b 1 1`),
    );
    fc.assert(
      fc.property(mangled, (text) => {
        try {
          parseGraphiteLine(text);
        } catch (error) {
          assert.ok(error instanceof GraphiteLineError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
