import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatSecondsFloat, formatTimedelta } from '../../src/grammar/format-timedelta.ts';

const S = 1_000_000;
const DAY = 86_400 * S;

describe('formatTimedelta', () => {
  // Expected strings are Python's str(datetime.timedelta(microseconds=…)).
  const rows: [micros: number, text: string][] = [
    [0, '0:00:00'],
    [S, '0:00:01'],
    [60 * S, '0:01:00'],
    [3600 * S, '1:00:00'],
    [3_600_000, '0:00:03.600000'],
    [500_000, '0:00:00.500000'],
    [1, '0:00:00.000001'],
    [7 * S, '0:00:07'],
    [3598 * S, '0:59:58'],
    [200 * S, '0:03:20'],
    [DAY - 1, '23:59:59.999999'],
    [DAY, '1 day, 0:00:00'],
    [2 * DAY, '2 days, 0:00:00'],
    [30 * DAY, '30 days, 0:00:00'],
    [365 * DAY, '365 days, 0:00:00'],
    [DAY + 2 * 3600 * S + 3 * 60 * S + 4 * S + 5, '1 day, 2:03:04.000005'],
    [-S, '-1 day, 23:59:59'],
    [-1, '-1 day, 23:59:59.999999'],
    [-DAY, '-1 day, 0:00:00'],
    [-DAY - 1, '-2 days, 23:59:59.999999'],
    [-5 * 60 * S, '-1 day, 23:55:00'],
    [Number.MAX_SAFE_INTEGER, '104249 days, 23:47:34.740991'],
    [-Number.MAX_SAFE_INTEGER, '-104250 days, 0:12:25.259009'],
  ];
  for (const [micros, text] of rows) {
    it(`renders ${micros} µs as ${JSON.stringify(text)}`, () => {
      assert.equal(formatTimedelta(micros), text);
    });
  }

  it('refuses a value that is not a whole number of microseconds', () => {
    assert.throws(() => formatTimedelta(0.5), RangeError);
    assert.throws(() => formatTimedelta(Number.NaN), RangeError);
  });
});

describe('formatSecondsFloat', () => {
  // Expected strings are Python's str(float(seconds)).
  const rows: [micros: number, text: string][] = [
    [S, '1.0'],
    [60 * S, '60.0'],
    [S / 2, '0.5'],
    [3_600_000, '3.6'],
    [1, '1e-06'],
    [100, '0.0001'],
    [10, '1e-05'],
    [3600 * S, '3600.0'],
    [31_536_000 * S, '31536000.0'],
    [Number.MAX_SAFE_INTEGER, '9007199254.740992'],
    [-S, '-1.0'],
    [0, '0.0'],
  ];
  for (const [micros, text] of rows) {
    it(`renders ${micros} µs as ${text}`, () => {
      assert.equal(formatSecondsFloat(micros), text);
    });
  }
});
