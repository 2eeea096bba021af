import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { InvalidTimespanError } from '../../src/grammar/errors.ts';
import { formatTimedelta } from '../../src/grammar/format-timedelta.ts';
import {
  MAX_TIMESPAN_LENGTH,
  parsePositiveTimespan,
  parseTimespan,
} from '../../src/grammar/timespan.ts';

const S = 1_000_000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

describe('parseTimespan', () => {
  const accepted: [input: number | string, micros: number][] = [
    // §5.2 Timespans, in the spec's order
    ['1s', S],
    ['10s', 10 * S],
    ['1 second', S],
    ['2 seconds', 2 * S],
    ['1 minute', MIN],
    ['5 minutes', 5 * MIN],
    ['5min', 5 * MIN],
    ['1h', H],
    ['1 hour', H],
    ['1 day', DAY],
    ['365 days', 365 * DAY],
    ['1 week', 7 * DAY],
    ['1d2h', DAY + 2 * H],
    ['1 hour 30 minutes', H + 30 * MIN],
    ['0:01:01', 61 * S],
    ['1:00:00', H],
    ['1.5s', 1.5 * S],
    ['-5 minutes', -5 * MIN],
    // numbers and numeric strings are seconds
    [60, MIN],
    [0.5, S / 2],
    [0.1, 100_000],
    [3.6, 3_600_000],
    [-2, -2 * S],
    [0, 0],
    [1e-6, 1],
    ['60', MIN],
    [' 1.5 ', 1.5 * S],
    ['1e3', 1000 * S],
    ['+5', 5 * S],
    ['.5', S / 2],
    ['5.', 5 * S],
    ['1_000', 1000 * S],
    // pytimeparse's other spellings and formats
    ['1 HOUR', H],
    ['2 hrs', 2 * H],
    ['3 wks', 21 * DAY],
    ['1 minute, 24 secs', 84 * S],
    ['1m24s', 84 * S],
    ['1 hour, 30 min', H + 30 * MIN],
    ['1h/30m', H + 30 * MIN],
    ['1:30', 90 * S],
    [':05', 5 * S],
    ['1:02:03:04', DAY + 2 * H + 3 * MIN + 4 * S],
    ['2w 3d 4:05:06', 17 * DAY + 4 * H + 5 * MIN + 6 * S],
    ['- 1 minute', -MIN],
    ['+ 1 minute', MIN],
    ['1.2 seconds', 1.2 * S],
    ['0:00:03.600000', 3.6 * S],
    // a fraction outside the seconds field is truncated to whole seconds, as pytimeparse does
    ['1.2 minutes', 72 * S],
    ['1.0001 minutes', MIN],
    ['1.5 minutes 3 seconds', 93 * S],
    ['1.5 minutes 3.5 seconds', 93.5 * S],
    // the sign applies to the whole value (pytimeparse forgets it on the seconds part)
    ['-1.5 minutes 3 seconds', -93 * S],
    // what formatTimedelta emits reads back
    ['1 day, 0:00:00', DAY],
    ['365 days, 0:00:00', 365 * DAY],
    ['2 days, 3:04:05.000006', 2 * DAY + 3 * H + 4 * MIN + 5 * S + 6],
    // pytimeparse reads the days of Python's negative rendering as negative too
    ['-1 day, 23:59:59', -(DAY + DAY - S)],
  ];
  for (const [input, micros] of accepted) {
    it(`reads ${JSON.stringify(input)} as ${micros} µs`, () => {
      assert.equal(parseTimespan(input), micros);
    });
  }

  const refused: [input: unknown, reason: InvalidTimespanError['reason']][] = [
    ['1 year', 'unparsable'],
    ['2 months', 'unparsable'],
    ['1ms', 'unparsable'],
    ['now', 'unparsable'],
    ['', 'unparsable'],
    ['   ', 'unparsable'],
    ['-', 'unparsable'],
    ['1 shenanigan', 'unparsable'],
    ['1.2.3s', 'unparsable'],
    ['.s', 'unparsable'],
    ['nan', 'unparsable'],
    ['inf', 'unparsable'],
    ['|5s', 'unparsable'],
    ['1__0', 'unparsable'],
    [Number.NaN, 'unparsable'],
    [null, 'unparsable'],
    [true, 'unparsable'],
    [`${'1'.repeat(MAX_TIMESPAN_LENGTH)}s`, 'unparsable'],
    [Number.POSITIVE_INFINITY, 'too-large'],
    [1e300, 'too-large'],
    ['1e400', 'too-large'],
    ['101010 weeks', 'too-large'],
    [1e-7, 'sub-microsecond'],
    ['0.0000005', 'sub-microsecond'],
    ['1e-500', 'sub-microsecond'],
    ['0:00:00.0000001', 'sub-microsecond'],
  ];
  for (const [input, reason] of refused) {
    it(`refuses ${JSON.stringify(input)} (${reason})`, () => {
      assert.throws(
        () => parseTimespan(input as string),
        (error: unknown) => error instanceof InvalidTimespanError && error.reason === reason,
      );
    });
  }

  it('says why with Gnocchi messages', () => {
    assert.throws(() => parseTimespan('1 year'), {
      name: 'InvalidTimespanError',
      code: 'INVALID_TIMESPAN',
      message: 'Unable to parse timespan',
    });
    assert.throws(() => parsePositiveTimespan('-5 minutes'), {
      message: 'Timespan must be positive',
    });
    assert.throws(() => parseTimespan(1e-7), {
      message: 'Timespan must be a whole number of microseconds',
    });
  });
});

describe('parsePositiveTimespan', () => {
  for (const input of [0, '0', '0s', '-1s', -0.5, '0:00:00', '-5 minutes']) {
    it(`refuses ${JSON.stringify(input)} as not positive`, () => {
      assert.throws(() => parsePositiveTimespan(input), { message: 'Timespan must be positive' });
    });
  }

  it('accepts a positive timespan', () => {
    assert.equal(parsePositiveTimespan('1 day'), DAY);
    assert.equal(parsePositiveTimespan(1e-6), 1);
  });
});

describe('parseTimespan with formatTimedelta', () => {
  const duration = fc
    .record({
      days: fc.integer({ min: 0, max: 100_000 }),
      seconds: fc.integer({ min: 0, max: 86_399 }),
      micros: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999 })),
    })
    .map(({ days, seconds, micros }) => days * DAY + seconds * S + micros);

  it('reads back what formatTimedelta renders, for non-negative durations', () => {
    fc.assert(
      fc.property(duration, (micros) => {
        const text = formatTimedelta(micros);
        assert.equal(parseTimespan(text), micros);
        assert.equal(formatTimedelta(parseTimespan(text)), text);
      }),
    );
  });

  it('reads a number of seconds as the same duration as its decimal text', () => {
    const outcome = (input: number | string) => {
      try {
        return parseTimespan(input);
      } catch (error) {
        return error instanceof InvalidTimespanError ? error.reason : 'other';
      }
    };
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat(999_999), (seconds, micros) => {
        const value = seconds + Math.sign(seconds || 1) * (micros / S);
        assert.equal(outcome(value), outcome(String(value)));
      }),
    );
  });
});
