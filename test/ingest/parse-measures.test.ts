import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { InvalidMeasuresError, type InvalidMeasuresReason } from '../../src/ingest/errors.ts';
import { parseMeasures } from '../../src/ingest/parse-measures.ts';
import { timestampFormatOf } from '../../src/grammar/parse-timestamp.ts';

const S = 1_000_000;
/** 2015-03-06T14:33:57Z in µs. */
const T0 = 1_425_652_437 * S;
/** 2015-03-06T00:00:00Z in µs. */
const DAY0 = 1_425_600_000 * S;
/** The injected clock: 2020-01-01T00:00:00.123456Z. */
const NOW = 1_577_836_800 * S + 123_456;

const parse = (body: unknown) => parseMeasures(body, { now: NOW });
const one = (timestamp: unknown, value: unknown = 1) =>
  value === MISSING ? [{ timestamp }] : [{ timestamp, value }];
const MISSING = Symbol('missing');

describe('parseMeasures: timestamps', () => {
  const accepted: [name: string, timestamp: unknown, micros: number][] = [
    // §5.2 Timestamps, in the spec's order
    ['epoch number', 1_425_652_437, T0],
    ['numeric string is epoch seconds, not a year', '2015', 2015 * S],
    ['ISO with T', '2015-03-06T14:33:57', T0],
    ['ISO with a space', '2015-03-06 14:33:57', T0],
    ['ISO date', '2015-03-06', DAY0],
    ['ISO month', '2015-03', 1_425_168_000 * S],
    ['ISO minutes', '2015-03-06T14:34', T0 + 3 * S],
    ['9 fractional digits, floored', '2015-03-06T14:33:57.123456789', T0 + 123_456],
    ['Z', '2015-03-06T14:33:57Z', T0],
    ['+HH:MM to UTC', '2015-03-06T14:33:57+02:00', T0 - 2 * 3600 * S],
    ['+HHMM to UTC', '2015-03-06T14:33:57+0200', T0 - 2 * 3600 * S],
    ['-HHMM to UTC', '2015-03-06T14:33:57-0130', T0 + 5400 * S],
    ['relative to now', '-5 minutes', NOW - 300 * S],
    // epoch seconds, more
    ['fractional epoch', 1_425_652_437.5, T0 + S / 2],
    ['microsecond epoch', 1_425_652_437.000001, T0 + 1],
    ['sub-microsecond epoch is floored', 1.0000019, S + 1],
    ['sub-microsecond epoch string is floored as written', '1425652437.0000019', T0 + 1],
    ['a double is read as its shortest decimal', 1_425_652_437.0000019, T0 + 2],
    ['epoch zero', 0, 0],
    ['numeric string with spaces', ' 1425652437 ', T0],
    ['exponent string', '1.425652437e9', T0],
    ['underscored string', '1_425_652_437', T0],
    ['true is one second', true, S],
    ['false is the epoch', false, 0],
    // ISO, more
    ['hour only', '2015-03-06T14', T0 - 33 * 60 * S - 57 * S],
    ['+HH', '2015-03-06T14:33:57+02', T0 - 2 * 3600 * S],
    ['-00:00', '2015-03-06T14:33:57-00:00', T0],
    ['offset across midnight', '2015-03-06T00:30:00+01:00', DAY0 - 1800 * S],
    ['18 fractional digits', '2015-03-06T14:33:57.123456789012345678', T0 + 123_456],
    ['bare dot', '2015-03-06T14:33:57.', T0],
    ['leading whitespace', '\t2015-03-06', DAY0],
    ['trailing whitespace after a time', '2015-03-06T14:33:57Z ', T0],
    ['leap day', '2016-02-29', 1_456_704_000 * S],
    ['plus-signed year', '+2015-03-06', DAY0],
    ['the epoch', '1970-01-01', 0],
    ['now, to the second', 'now', NOW - 123_456],
    ['today, to the day', 'TODAY', 1_577_836_800 * S],
    // relative, more
    ['relative hours', '-1 hour', NOW - 3600 * S],
    ['relative future', '10s', NOW + 10 * S],
    ['relative clock', '-0:01:01', NOW - 61 * S],
  ];
  for (const [name, timestamp, micros] of accepted) {
    it(`accepts ${name}: ${JSON.stringify(timestamp)}`, () => {
      assert.deepEqual([...parse(one(timestamp)).timestamps], [micros]);
    });
  }

  const refused: [name: string, timestamp: unknown, reason: InvalidMeasuresReason][] = [
    ['compact ISO', '20150306T143357', 'timestamp'],
    ['before the epoch (ISO)', '1969-12-31T23:59:59', 'before-epoch'],
    ['before the epoch (number)', -1, 'before-epoch'],
    ['before the epoch (by a microsecond)', -0.000001, 'before-epoch'],
    ['before the epoch (relative)', '-60 years', 'timestamp'],
    ['before the epoch (negative year)', '-2015-03-06', 'before-epoch'],
    ['garbage', 'yesterday-ish', 'timestamp'],
    ['empty string', '', 'timestamp'],
    ['hex string', '0x10', 'timestamp'],
    ['NaN string', 'nan', 'timestamp'],
    ['infinite string', 'inf', 'timestamp'],
    ['NaT', 'NaT', 'timestamp'],
    ['past 2^53 µs', 9.1e9, 'timestamp'],
    ['year 10000', '10000-01-01', 'timestamp'],
    ['month 13', '2015-13-01', 'timestamp'],
    ['February 29 of a common year', '2015-02-29', 'timestamp'],
    ['hour 24', '2015-03-06T24:00:00', 'timestamp'],
    ['second 60', '2015-03-06T14:33:60', 'timestamp'],
    ['offset +24:00', '2015-03-06T14:33:57+24:00', 'timestamp'],
    ['offset minutes 60', '2015-03-06T14:33:57+0260', 'timestamp'],
    ['offset on a date', '2015-03-06+02:00', 'timestamp'],
    ['Z on a date', '2015-03-06Z', 'timestamp'],
    ['lowercase t', '2015-03-06t14:33:57', 'timestamp'],
    ['comma fraction', '2015-03-06T14:33:57,5', 'timestamp'],
    ['19 fractional digits', '2015-03-06T14:33:57.1234567890123456789', 'timestamp'],
    ['single-digit month', '2015-3-6', 'timestamp'],
    ['trailing space after a date', '2015-03-06 ', 'timestamp'],
    ['space before Z', '2015-03-06T14:33:57.5 Z', 'timestamp'],
    ['sub-microsecond relative', '-1.0000001s', 'timestamp'],
    ['null timestamp', null, 'format'],
    ['missing timestamp', undefined, 'format'],
    ['object timestamp', { t: 1 }, 'format'],
    ['list timestamp', [1], 'format'],
  ];
  for (const [name, timestamp, reason] of refused) {
    it(`refuses ${name}: ${timestamp === undefined ? 'missing' : JSON.stringify(timestamp)}`, () => {
      assertRefused(one(timestamp), reason, 0);
    });
  }

  it('picks the format from the first timestamp and refuses any mix', () => {
    const mixes: [unknown, unknown][] = [
      [1_425_652_437, '2015-03-06T14:33:57'],
      ['2015-03-06T14:33:57', 1_425_652_437],
      ['2015-03-06T14:33:57', '2016'],
      ['2015-03-06T14:33:57', '-5 minutes'],
      ['-5 minutes', 10],
      ['-5 minutes', '10'],
      ['-5 minutes', '2015-03-06'],
      ['1425652437', 'now'],
    ];
    for (const [first, second] of mixes) {
      assertRefused(
        [
          { timestamp: first, value: 1 },
          { timestamp: second, value: 1 },
        ],
        'timestamp',
        1,
      );
    }
  });

  it('accepts numbers and numeric strings together (both are epoch seconds)', () => {
    const batch = parse([
      { timestamp: '1425652437', value: 1 },
      { timestamp: 1_425_652_438, value: 2 },
    ]);
    assert.deepEqual([...batch.timestamps], [T0, T0 + S]);
  });

  it('names the format of the first timestamp', () => {
    assert.equal(timestampFormatOf(12), 'epoch');
    assert.equal(timestampFormatOf('12.5'), 'epoch');
    assert.equal(timestampFormatOf(true), 'epoch');
    assert.equal(timestampFormatOf('2015-03-06'), 'iso');
    assert.equal(timestampFormatOf('now'), 'iso');
    assert.equal(timestampFormatOf('-5 minutes'), 'relative');
    assert.equal(timestampFormatOf('garbage'), 'relative');
  });
});

describe('parseMeasures: values', () => {
  const accepted: [unknown, number][] = [
    [42, 42],
    [-1.5, -1.5],
    ['42', 42],
    [' 4.2e1 ', 42],
    ['1_000', 1000],
    ['NaN', NaN],
    ['nan', NaN],
    ['-nan', NaN],
    ['inf', Infinity],
    ['+Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-iNF', -Infinity],
    ['1e400', Infinity],
    [true, 1],
    [false, 0],
  ];
  for (const [value, expected] of accepted) {
    it(`accepts ${JSON.stringify(value)}`, () => {
      assert.deepEqual([...parse(one(0, value)).values], [expected]);
    });
  }
  const refused: unknown[] = [
    null,
    MISSING,
    '',
    ' ',
    'abc',
    '0x10',
    '1__0',
    '_1',
    'infinit',
    '.',
    {},
    [],
    [1],
  ];
  for (const value of refused) {
    it(`refuses ${value === MISSING ? 'a missing value' : JSON.stringify(value)}`, () => {
      assertRefused(one(0, value), 'value', 0);
    });
  }

  it('explains a value nested 5,000 levels deep without exhausting the stack', () => {
    const deep = JSON.parse('{"a":'.repeat(5000) + '1' + '}'.repeat(5000)) as unknown;
    assert.throws(() => parse(one(0, deep)), {
      name: 'InvalidMeasuresError',
      detail: 'value of measure 0 (an object) is not a number',
    });
    const long = 'x'.repeat(100_000);
    assert.throws(() => parse(one(0, long)), {
      detail: `value of measure 0 (${JSON.stringify('x'.repeat(60)).slice(0, 61)}...) is not a number`,
    });
  });
});

describe('parseMeasures: bodies', () => {
  it('keeps request order and ignores extra keys', () => {
    const batch = parse([
      { timestamp: 20, value: 2, unit: 'ms' },
      { timestamp: 10, value: 1 },
      { timestamp: 20, value: 3 },
    ]);
    assert.deepEqual([...batch.timestamps], [20 * S, 10 * S, 20 * S]);
    assert.deepEqual([...batch.values], [2, 1, 3]);
  });

  it('accepts an empty list', () => {
    assert.equal(parse([]).timestamps.length, 0);
  });

  const malformed: [string, unknown, number | undefined][] = [
    ['a number (§5.2)', 1, undefined],
    ['a list of lists (§5.2)', [['2015-03-06T14:33:57', 1]], 0],
    ['an object', { timestamp: 1, value: 1 }, undefined],
    ['a string', '[]', undefined],
    ['null', null, undefined],
    ['a null measure', [{ timestamp: 1, value: 1 }, null], 1],
    ['a scalar measure', [{ timestamp: 1, value: 1 }, 5], 1],
  ];
  for (const [name, body, index] of malformed) {
    it(`refuses ${name} as a format error`, () => {
      assertRefused(body, 'format', index);
    });
  }

  it("applies Gnocchi's precedence: format, then timestamps, then epoch, then values", () => {
    const bad = {
      value: { timestamp: 1, value: 'x' },
      epoch: { timestamp: -1, value: 1 },
      timestamp: { timestamp: 'garbage', value: 1 },
      format: { value: 1 },
    };
    assertRefused([bad.value, bad.epoch, bad.timestamp, bad.format], 'format', 3);
    assertRefused([bad.value, bad.epoch, bad.timestamp], 'timestamp', 2);
    assertRefused([bad.value, bad.epoch, bad.epoch], 'before-epoch', 1);
    assertRefused([{ timestamp: 1, value: 1 }, bad.value, bad.value], 'value', 1);
  });

  it("uses Gnocchi's reason texts and explains the offending measure", () => {
    const error = catchError(() =>
      parse([
        { timestamp: 1, value: 1 },
        { timestamp: 'x', value: 1 },
      ]),
    );
    assert.equal(error.message, "unexpected timestamp 'Unable to convert timestamps'");
    assert.equal(error.code, 'INVALID_MEASURES');
    assert.match(error.detail ?? '', /measure 1 \("x"\) is not epoch seconds/);
    assert.equal(
      catchError(() => parse(one(-1))).message,
      "unexpected timestamp 'Timestamp must be after Epoch'",
    );
    assert.equal(catchError(() => parse(one(1, 'x'))).message, 'unexpected measures value');
    assert.equal(catchError(() => parse(1)).message, 'unexpected measures format');
  });

  it('refuses an invalid clock', () => {
    assert.throws(() => parseMeasures([], { now: -1 }), RangeError);
    assert.throws(() => parseMeasures([], { now: 1.5 }), RangeError);
  });
});

describe('parseMeasures: properties', () => {
  const micros = fc.integer({ min: 0, max: 4_102_444_800 * S });
  const value = fc.double();

  it('reads back generated epoch-second bodies exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(micros, value)), (points) => {
        const body = points.map(([ts, v]) => ({ timestamp: ts / S, value: v }));
        const batch = parse(body);
        assert.deepEqual(
          [...batch.timestamps],
          points.map(([ts]) => ts),
        );
        assert.deepEqual(
          [...batch.values],
          points.map(([, v]) => v),
        );
      }),
    );
  });

  it('reads back generated ISO bodies with offsets', () => {
    const offset = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
    fc.assert(
      fc.property(fc.array(fc.tuple(micros, offset), { minLength: 1 }), (points) => {
        const body = points.map(([ts, minutes]) => ({
          timestamp: isoWithOffset(ts, minutes),
          value: 0,
        }));
        const expected = points.map(([ts]) => ts);
        const parsed = parseOrUndefined(body);
        // NOTE: a local time before the epoch in a positive offset is still after it in UTC.
        if (parsed !== undefined) assert.deepEqual([...parsed.timestamps], expected);
      }),
    );
  });

  it('throws nothing but InvalidMeasuresError on arbitrary JSON', () => {
    const measure = fc.record(
      { timestamp: fc.jsonValue(), value: fc.jsonValue() },
      { requiredKeys: [] },
    );
    const body = fc.oneof(fc.jsonValue(), fc.array(fc.oneof(measure, fc.jsonValue())));
    fc.assert(
      fc.property(body, (input) => {
        try {
          parse(input);
        } catch (error) {
          assert.ok(error instanceof InvalidMeasuresError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function isoWithOffset(micros: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(micros / 1000) + offsetMinutes * 60_000).toISOString();
  const fraction = String(micros % S).padStart(6, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 19)}.${fraction}${sign}${hhmm}`;
}

function parseOrUndefined(body: unknown) {
  try {
    return parse(body);
  } catch (error) {
    if (error instanceof InvalidMeasuresError && error.reason === 'before-epoch') return undefined;
    throw error;
  }
}

function catchError(fn: () => unknown): InvalidMeasuresError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InvalidMeasuresError, String(error));
    return error;
  }
  assert.fail('expected an InvalidMeasuresError');
}

function assertRefused(
  body: unknown,
  reason: InvalidMeasuresReason,
  index: number | undefined,
): void {
  const error = catchError(() => parse(body));
  assert.equal(error.reason, reason, error.detail);
  assert.equal(error.index, index);
}
