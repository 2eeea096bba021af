import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import { pack } from 'msgpackr';

import { InvalidDataError } from '../../src/carbonara/errors.ts';
import {
  decodeMeasureBatch,
  encodeMeasureBatch,
  encodedMeasureBatchBytes,
} from '../../src/ingest/measure-batch-codec.ts';
import type { MeasureBatch } from '../../src/ingest/measure-batch.ts';

const batchArbitrary = fc
  .array(fc.tuple(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double()), {
    maxLength: 200,
  })
  .map((points): MeasureBatch => ({
    timestamps: Float64Array.from(points, ([ts]) => ts),
    values: Float64Array.from(points, ([, v]) => v),
  }));

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const f64 = (value: number) => hex(new Uint8Array(new Float64Array([value]).buffer));
const str = (text: string) => (0xa0 + text.length).toString(16) + Buffer.from(text).toString('hex');

describe('measure batch codec', () => {
  it('writes a self-describing MessagePack map (version 1)', () => {
    const bytes = encodeMeasureBatch({
      timestamps: Float64Array.of(1_000_000),
      values: Float64Array.of(42),
    });
    const expected =
      'de0003' +
      `${str('version')}01` +
      `${str('timestamps')}c408${f64(1_000_000)}` +
      `${str('values')}c408${f64(42)}`;
    assert.equal(hex(bytes), expected);
  });

  it('knows the length of a batch from its count of measures, across the bin headers', () => {
    // NOTE: 8 × n bytes take a bin8 up to n = 31, a bin16 up to n = 8191, a bin32 beyond.
    for (const measures of [0, 1, 31, 32, 60, 8191, 8192, 100_000]) {
      const batch = {
        timestamps: Float64Array.from({ length: measures }, (_, i) => i),
        values: new Float64Array(measures),
      };
      assert.equal(
        encodedMeasureBatchBytes(measures),
        encodeMeasureBatch(batch).length,
        `${measures}`,
      );
    }
  });

  it('round-trips any batch, NaN and infinities included', () => {
    fc.assert(
      fc.property(batchArbitrary, batchArbitrary, (a, b) => {
        // NOTE: encoding b before decoding a checks that encoded bytes are not reused.
        const bytesA = encodeMeasureBatch(a);
        const bytesB = encodeMeasureBatch(b);
        assert.deepEqual(decodeMeasureBatch(bytesA), a);
        assert.deepEqual(decodeMeasureBatch(bytesB), b);
      }),
    );
  });

  it('encodes views into larger arrays correctly', () => {
    const timestamps = Float64Array.of(1, 2, 3, 4).subarray(1, 3);
    const values = Float64Array.of(5, 6, 7, 8).subarray(2);
    const decoded = decodeMeasureBatch(encodeMeasureBatch({ timestamps, values }));
    assert.deepEqual([...decoded.timestamps, ...decoded.values], [2, 3, 7, 8]);
  });

  const corrupt: [string, Uint8Array][] = [
    ['empty bytes', new Uint8Array(0)],
    ['not a map', pack([1, 2])],
    [
      'an unknown version',
      pack({ version: 2, timestamps: new Uint8Array(0), values: new Uint8Array(0) }),
    ],
    ['missing values', pack({ version: 1, timestamps: new Uint8Array(8) })],
    ['odd lengths', pack({ version: 1, timestamps: new Uint8Array(4), values: new Uint8Array(4) })],
    ['unpaired', pack({ version: 1, timestamps: new Uint8Array(8), values: new Uint8Array(16) })],
    [
      'a negative timestamp',
      pack({
        version: 1,
        timestamps: Buffer.from(new Float64Array([-1]).buffer),
        values: new Uint8Array(8),
      }),
    ],
    [
      'a fractional timestamp',
      pack({
        version: 1,
        timestamps: Buffer.from(new Float64Array([0.5]).buffer),
        values: new Uint8Array(8),
      }),
    ],
    [
      'truncated',
      encodeMeasureBatch({ timestamps: Float64Array.of(1), values: Float64Array.of(1) }).subarray(
        0,
        20,
      ),
    ],
  ];
  for (const [name, bytes] of corrupt) {
    it(`refuses ${name} with InvalidDataError`, () => {
      assert.throws(() => decodeMeasureBatch(bytes), InvalidDataError);
    });
  }

  it('throws nothing but InvalidDataError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeMeasureBatch(bytes);
        } catch (error) {
          assert.ok(error instanceof InvalidDataError, String(error));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
