/**
 * The series format: round trips, golden byte fixtures and corrupt input.
 *
 * Golden fixtures live in test/fixtures/series-v1/. These tests compare against them and fail on
 * any difference; after a deliberate change of format (which also needs a new version byte),
 * regenerate them with `ORZO_UPDATE_FIXTURES=1 node --import tsx --test
 * test/carbonara/codec/serialize.test.ts` and review the diff.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteReader } from '../../../src/carbonara/codec/byte-reader.ts';
import { InvalidDataError } from '../../../src/carbonara/errors.ts';
import {
  decodeSeries,
  encodeSeries,
  SERIES_FORMAT_VERSION,
} from '../../../src/carbonara/codec/serialize.ts';
import { seriesOf } from '../../../src/carbonara/series.ts';
import type { Series } from '../../../src/carbonara/series.ts';
import { VALUE_MODES } from '../../../src/carbonara/codec/value-section.ts';
import { HIGH_WORD, LOW_WORD } from '../../../src/carbonara/codec/word-order.ts';
import { xxHash32 } from '../../../src/carbonara/codec/xxhash32.ts';
import { seriesArbitrary } from '../series-arbitrary.ts';
import { mulberry32 } from '../../support/mulberry32.ts';

const FIXTURES = new URL('../../fixtures/series-v1/', import.meta.url);
const UPDATE_FIXTURES = process.env.ORZO_UPDATE_FIXTURES === '1';
const START = 1_700_000_000_000_000;
const TEN_SECONDS = 10_000_000;
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

function regular(count: number, values: (i: number) => number, step = TEN_SECONDS): Series {
  return seriesOf(
    Array.from({ length: count }, (_, i) => START + i * step),
    Array.from({ length: count }, (_, i) => values(i)),
  );
}

function randomWalk(count: number, seed: number): Series {
  const random = mulberry32(seed);
  let value = 100;
  return regular(count, () => {
    value = Math.round((value + (Math.floor(random() * 3) - 1) / 10) * 10) / 10;
    return value;
  });
}

/** Jittered timestamps and noisy floats; plain arithmetic only, so fixtures never depend on Math.sin. */
function irregular(count: number, seed: number): Series {
  const random = mulberry32(seed);
  let t = START;
  const timestamps = Array.from({ length: count }, () => (t += 1 + Math.floor(random() * 2e7)));
  let value = 20;
  return seriesOf(
    timestamps,
    timestamps.map(() => (value += (random() - 0.5) / 3)),
  );
}

/** A float with the given high and low words, to build NaNs with payloads. */
function fromBits(high: number, low: number): number {
  const words = new Uint32Array(2);
  words[HIGH_WORD] = high;
  words[LOW_WORD] = low;
  return new Float64Array(words.buffer)[0] as number;
}

function bitsOf(values: Float64Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, 2 * values.length));
}

function assertSameSeries(actual: Series, expected: Series): void {
  assert.deepEqual(Array.from(actual.timestamps), Array.from(expected.timestamps));
  // NOTE: strict deepEqual compares with Object.is, so NaN matches NaN and −0 differs from 0;
  // the bit patterns then check NaN payloads too.
  assert.deepEqual(Array.from(actual.values), Array.from(expected.values));
  assert.deepEqual(bitsOf(actual.values), bitsOf(expected.values));
}

function roundTrip(series: Series): Uint8Array {
  const bytes = encodeSeries(series);
  assertSameSeries(decodeSeries(bytes), series);
  return bytes;
}

/** The value mode byte of an encoding, found by walking the header as serialize.ts lays it out. */
function valueModeOf(bytes: Uint8Array): number {
  const reader = new ByteReader(bytes, bytes.length - 4);
  reader.u8();
  const n = reader.varint();
  reader.varint();
  if (n >= 2) {
    reader.varint();
    for (let b = 0; b < Math.ceil((n - 1) / 128); b++) {
      reader.u8();
      reader.zigzag();
    }
  }
  return reader.u8();
}

/** The bytes with their checksum recomputed, so that the decoder looks past it. */
function withChecksum(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const end = copy.length - 4;
  const checksum = xxHash32(copy.subarray(0, end));
  for (let i = 0; i < 4; i++) copy[end + i] = checksum >>> (8 * i);
  return copy;
}

function assertInvalid(bytes: Uint8Array): void {
  assert.throws(() => decodeSeries(bytes), InvalidDataError);
}

/** Checks what any successfully decoded series must satisfy, whatever the bytes were. */
function assertValidSeries(series: Series): void {
  const { timestamps, values } = series;
  assert.equal(timestamps.length, values.length);
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] as number;
    assert.ok(Number.isSafeInteger(t) && t >= 0, `timestamp ${t} out of range`);
    if (i > 0) assert.ok(t > (timestamps[i - 1] as number), 'timestamps not increasing');
  }
}

const QUIET_NAN = fromBits(0x7ff80000, 0);
const NAN_WITH_PAYLOAD = fromBits(0x7ff80000, 0xdeadbeef);
const NEGATIVE_NAN = fromBits(0xfff00000, 1);

const ROUND_TRIP_CASES: readonly { name: string; series: Series; mode?: number }[] = [
  { name: 'empty', series: seriesOf([], []) },
  { name: 'one point', series: seriesOf([0], [1.5]), mode: VALUE_MODES.constant },
  { name: 'one NaN point', series: seriesOf([MAX_TIMESTAMP], [NAN_WITH_PAYLOAD]) },
  { name: 'two points', series: seriesOf([0, 1], [1, 2]), mode: VALUE_MODES.decimal },
  { name: 'regular random walk', series: randomWalk(1000, 1), mode: VALUE_MODES.decimal },
  { name: 'irregular', series: irregular(500, 2), mode: VALUE_MODES.xor },
  {
    name: 'gaps in a regular series',
    series: seriesOf(
      [0, 10, 20, 30, 1000, 1010, 1020, 5_000_000, 5_000_010],
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    ),
  },
  { name: 'block boundary, 129 points', series: regular(129, (i) => i % 3) },
  { name: 'partial last block, 300 points', series: regular(300, (i) => i * 0.5) },
  { name: 'NaN among decimals', series: regular(200, (i) => (i % 17 ? i / 10 : NaN)) },
  {
    name: 'NaN payloads',
    series: regular(5, (i) => [QUIET_NAN, NAN_WITH_PAYLOAD, NEGATIVE_NAN, 1, NaN][i] as number),
    mode: VALUE_MODES.xor,
  },
  { name: 'constant NaN with payload', series: regular(300, () => NAN_WITH_PAYLOAD) },
  {
    name: 'infinities',
    series: regular(6, (i) => [Infinity, -Infinity, 0, Infinity, 1, -Infinity][i] as number),
  },
  {
    name: 'negative zero among decimals',
    series: regular(6, (i) => [1.5, -0, 0, -0, 2.25, 0][i] as number),
    mode: VALUE_MODES.xor,
  },
  { name: 'constant negative zero', series: regular(3, () => -0), mode: VALUE_MODES.constant },
  {
    name: 'subnormals',
    series: regular(
      4,
      (i) =>
        [Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308 / 3, 1e-310][i] as number,
    ),
  },
  {
    name: 'extreme magnitudes',
    series: regular(4, (i) => [Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e-300][i] as number),
  },
  {
    name: 'values that look decimal but are not',
    series: regular(4, (i) => [0.1 + 0.2, 1 / 3, 0.1, 2 / 3][i] as number),
    mode: VALUE_MODES.xor,
  },
  {
    name: 'decimals at the largest exponent',
    series: regular(3, (i) => [1e-22, 2e-22, 3e-22][i] as number),
    mode: VALUE_MODES.decimal,
  },
  {
    name: 'integers of 50 bits, wider than a word as deltas',
    series: regular(300, (i) => (i % 2 ? 1 : -1) * (2 ** 50 - (i % 7))),
    mode: VALUE_MODES.decimal,
  },
  {
    name: 'integers just past 50 bits',
    series: regular(3, (i) => [2 ** 50 + 2, 0, 1][i] as number),
    mode: VALUE_MODES.xor,
  },
  { name: 'float32 values', series: regular(300, (i) => Math.fround(Math.sin(i))) },
  { name: 'timestamp 0', series: seriesOf([0, 1, 2], [3, 2, 1]) },
  {
    name: 'timestamps near 2^53',
    series: seriesOf([MAX_TIMESTAMP - 20, MAX_TIMESTAMP - 7, MAX_TIMESTAMP], [1, 2, 3]),
  },
  {
    name: 'timestamps from 0 to 2^53 − 1',
    series: seriesOf([0, 1, 2 ** 52, MAX_TIMESTAMP - 1, MAX_TIMESTAMP], [1, 2, 3, 4, 5]),
  },
  {
    name: 'a big jump after a full block, so a plain block has a huge reference',
    series: seriesOf(
      Array.from({ length: 300 }, (_, i) => (i < 150 ? i : MAX_TIMESTAMP - 300 + i)),
      Array.from({ length: 300 }, () => 1),
    ),
  },
];

describe('encodeSeries and decodeSeries', () => {
  for (const { name, series, mode } of ROUND_TRIP_CASES) {
    it(`round-trips ${name}`, () => {
      const bytes = roundTrip(series);
      assert.equal(bytes[0], SERIES_FORMAT_VERSION);
      if (mode !== undefined) assert.equal(valueModeOf(bytes), mode);
    });
  }

  it('round-trips series held in subarrays and bytes at any offset', () => {
    const series = randomWalk(300, 3);
    const timestamps = new Float64Array(302);
    const values = new Float64Array(302);
    timestamps.set(series.timestamps, 1);
    values.set(series.values, 1);
    const sliced = { timestamps: timestamps.subarray(1, 301), values: values.subarray(1, 301) };
    const bytes = encodeSeries(sliced);
    for (const offset of [1, 2, 3, 4]) {
      const shifted = new Uint8Array(bytes.length + offset);
      shifted.set(bytes, offset);
      assertSameSeries(decodeSeries(shifted.subarray(offset)), series);
    }
  });

  it('takes at most 2 bits a point for a regular random walk', () => {
    const bytes = encodeSeries(randomWalk(3600, 4));
    assert.ok(bytes.length / 3600 < 0.3, `${bytes.length / 3600} bytes a point`);
  });

  it('rejects invalid timestamps with a RangeError', () => {
    const cases: [string, number[]][] = [
      ['negative', [-1, 0]],
      ['fractional', [0, 1.5]],
      ['fractional first', [0.5, 2]],
      ['equal', [5, 5]],
      ['decreasing', [5, 4]],
      ['NaN', [0, NaN]],
      ['2^53', [0, 2 ** 53]],
      ['infinite', [0, Infinity]],
    ];
    for (const [name, timestamps] of cases) {
      assert.throws(() => encodeSeries(seriesOf(timestamps, [1, 2])), RangeError, name);
    }
    const mismatched = { timestamps: new Float64Array(2), values: new Float64Array(1) };
    assert.throws(() => encodeSeries(mismatched), RangeError);
  });

  it('re-encodes what it decodes to the same bytes', () => {
    for (const { series } of ROUND_TRIP_CASES) {
      const bytes = encodeSeries(series);
      assert.deepEqual(encodeSeries(decodeSeries(bytes)), bytes);
    }
  });
});

describe('golden fixtures', () => {
  const fixtures: Record<string, Series> = {
    empty: seriesOf([], []),
    constant: regular(10, () => 42.5, 60_000_000),
    'regular-random-walk': randomWalk(100, 20240601),
    irregular: irregular(50, 7),
    'with-nan': regular(20, (i) => [NaN, -0, Infinity, -Infinity, i / 4][i % 5] as number),
    'wide-integers': seriesOf(
      Array.from({ length: 200 }, (_, i) => MAX_TIMESTAMP - 1_000_000 * (200 - i)),
      Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : -1) * 2 ** 45 + i),
    ),
  };
  for (const [name, series] of Object.entries(fixtures)) {
    const file = new URL(`${name}.bin`, FIXTURES);
    it(`encodes ${name} to the committed bytes`, () => {
      const bytes = encodeSeries(series);
      if (UPDATE_FIXTURES) writeFileSync(file, bytes);
      const committed = new Uint8Array(readFileSync(file));
      assert.equal(Buffer.from(bytes).toString('hex'), Buffer.from(committed).toString('hex'));
    });
    it(`decodes the committed ${name}`, () => {
      assertSameSeries(decodeSeries(readFileSync(file)), series);
    });
  }
});

describe('decodeSeries on corrupt input', () => {
  const samples = [seriesOf([], []), ...ROUND_TRIP_CASES.slice(1, 12).map((c) => c.series)];

  it('rejects every truncation', () => {
    for (const series of samples) {
      const bytes = encodeSeries(series);
      for (let length = 0; length < bytes.length; length++) {
        assertInvalid(bytes.subarray(0, length));
      }
    }
  });

  it('rejects trailing bytes', () => {
    const bytes = encodeSeries(randomWalk(10, 5));
    for (const extra of [1, 4]) {
      const longer = new Uint8Array(bytes.length + extra);
      longer.set(bytes);
      assertInvalid(longer);
      assertInvalid(withChecksum(longer));
    }
  });

  it('rejects unknown versions, at offset 0', () => {
    for (const version of [0, 2, 255]) {
      const bytes = Uint8Array.from(encodeSeries(randomWalk(10, 6)));
      bytes[0] = version;
      assert.throws(
        () => decodeSeries(withChecksum(bytes)),
        (error: unknown) => {
          assert.ok(error instanceof InvalidDataError);
          assert.equal(error.offset, 0);
          assert.match(error.message, /version/);
          return true;
        },
      );
    }
  });

  it('rejects malformed headers behind a valid checksum', () => {
    // Layout of this series: version, n = 3, t0 = 0, unit = 10, one timestamp block header
    // (flag at byte 4, reference at byte 5), then the value mode at byte 6.
    const bytes = encodeSeries(seriesOf([0, 10, 20], [1, 2, 3.5]));
    assert.deepEqual(Array.from(bytes.subarray(0, 7)), [1, 3, 0, 10, 0x80, 2, VALUE_MODES.decimal]);
    const edits: [string, number, number][] = [
      ['zero unit', 3, 0],
      ['width beyond 53 bits', 4, 54],
      ['timestamps that stand still', 5, 0],
      ['timestamps that go back', 5, 1],
      ['unknown value mode', 6, 3],
      ['decimal exponent beyond 22', 7, 23],
    ];
    for (const [name, at, byte] of edits) {
      const edited = Uint8Array.from(bytes);
      edited[at] = byte;
      assert.throws(() => decodeSeries(withChecksum(edited)), InvalidDataError, name);
    }
  });

  it('rejects varints too long or beyond 2^53', () => {
    const counts = [
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0],
    ];
    for (const count of counts) {
      const bytes = withChecksum(Uint8Array.from([SERIES_FORMAT_VERSION, ...count, 0, 0, 0, 0]));
      assert.throws(() => decodeSeries(bytes), /Varint/);
    }
  });

  it('rejects non-zero padding', () => {
    const bytes = Uint8Array.from(encodeSeries(seriesOf([], [])));
    bytes[3] = 1;
    assert.throws(() => decodeSeries(withChecksum(bytes)), /padding/);
  });

  it('rejects every single flipped byte', () => {
    fc.assert(
      fc.property(
        seriesArbitrary(200),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (series, at, mask) => {
          const bytes = Uint8Array.from(encodeSeries(series));
          const index = at % bytes.length;
          bytes[index] = (bytes[index] as number) ^ mask;
          assertInvalid(bytes);
        },
      ),
    );
  });

  it('yields an error or a valid series when flips get past the checksum', () => {
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(seriesArbitrary(300), flips, (series, edits) => {
        const bytes = Uint8Array.from(encodeSeries(series));
        for (const [at, mask] of edits) {
          const index = at % (bytes.length - 4);
          bytes[index] = (bytes[index] as number) ^ mask;
        }
        let decoded: Series;
        try {
          decoded = decodeSeries(withChecksum(bytes));
        } catch (error) {
          assert.ok(error instanceof InvalidDataError, String(error));
          return;
        }
        assertValidSeries(decoded);
      }),
      { numRuns: 500 },
    );
  });
});

describe('round-trip properties', () => {
  it('round-trips any series bit for bit', () => {
    fc.assert(
      fc.property(seriesArbitrary(700), (series) => {
        roundTrip(series);
      }),
      { numRuns: 300 },
    );
  });
});
