import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  MAX_STATSD_NAME_LENGTH,
  StatsdMessageError,
  parseStatsdMessage,
} from '../../src/grammar/statsd-message.ts';

describe('parseStatsdMessage', () => {
  it('reads counters with and without a sample rate', () => {
    assert.deepEqual(parseStatsdMessage('hits:3|c'), {
      type: 'c',
      name: 'hits',
      value: 3,
      rate: 1,
    });
    assert.deepEqual(parseStatsdMessage('a.b:-1.5|c|@0.25'), {
      type: 'c',
      name: 'a.b',
      value: -1.5,
      rate: 0.25,
    });
  });

  it('reads gauges, a sign making the value a change', () => {
    assert.deepEqual(parseStatsdMessage('t:20|g'), {
      type: 'g',
      name: 't',
      value: 20,
      delta: false,
    });
    assert.deepEqual(parseStatsdMessage('t:+5|g'), { type: 'g', name: 't', value: 5, delta: true });
    assert.deepEqual(parseStatsdMessage('t:-2.5|g'), {
      type: 'g',
      name: 't',
      value: -2.5,
      delta: true,
    });
  });

  it('reads timers, histograms as timers, and sets', () => {
    assert.deepEqual(parseStatsdMessage('lat:12.5|ms'), { type: 'ms', name: 'lat', value: 12.5 });
    assert.deepEqual(parseStatsdMessage('lat:3|ms|@0.1'), { type: 'ms', name: 'lat', value: 3 });
    assert.deepEqual(parseStatsdMessage('size:7|h'), { type: 'ms', name: 'size', value: 7 });
    assert.deepEqual(parseStatsdMessage('users:alice|s'), {
      type: 's',
      name: 'users',
      member: 'alice',
    });
  });

  for (const [text, reason] of [
    ['hits', /no `:`/],
    [':1|c', /empty metric name/],
    ['a/b:1|c', /'\/' is not supported/],
    ['hits:1', /no `\|type`/],
    ['hits:1|c|@0.5|x', /more than one field/],
    ['hits:x|c', /not a number/],
    ['hits:1e999|c', /out of range/],
    ['hits:1|q', /unknown metric type/],
    ['hits:1|c|0.5', /not a sample rate/],
    ['hits:1|c|@0', /not in \(0, 1\]/],
    ['hits:1|c|@2', /not in \(0, 1\]/],
    ['hits:1|c|#env:prod', /tags are not supported/],
    ['users:|s', /empty set member/],
    [`${'n'.repeat(MAX_STATSD_NAME_LENGTH + 1)}:1|c`, /longer than/],
  ] as const) {
    it(`refuses ${JSON.stringify(text.slice(0, 30))}`, () => {
      assert.throws(
        () => parseStatsdMessage(text),
        (error: unknown) => {
          assert.ok(error instanceof StatsdMessageError);
          assert.match(error.message, reason);
          return true;
        },
      );
    });
  }

  it('reads back any well-formed counter, gauge and timer it is given', () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,40}$/);
    const value = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    fc.assert(
      fc.property(name, value, fc.constantFrom('c', 'ms', 'g'), (metric, number, type) => {
        const text = `${metric}:${String(Math.abs(number))}|${type}`;
        const parsed = parseStatsdMessage(text);
        assert.equal(parsed.name, metric);
        assert.equal(parsed.type, type);
        assert.ok('value' in parsed);
        assert.equal(parsed.value, Math.abs(number));
      }),
    );
  });

  it('only ever answers a message or a StatsdMessageError, whatever the bytes (truncated, oversized)', () => {
    const valid = fc.constantFrom('hits:1|c', 'g:+2|g', 'lat:3|ms|@0.5', 'u:x|s');
    const mangled = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(valid, fc.nat(20)).map(([text, cut]) => text.slice(0, cut)),
      fc.tuple(valid, fc.string({ maxLength: 5 })).map(([text, junk]) => text + junk),
      fc.nat(5000).map((size) => `${'x'.repeat(size)}:1|c`),
    );
    fc.assert(
      fc.property(mangled, (text) => {
        try {
          parseStatsdMessage(text);
        } catch (error) {
          assert.ok(error instanceof StatsdMessageError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
