import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { encodeSeries, InvalidDataError, seriesOf } from '../../src/carbonara/index.ts';
import { decodeRawBuffer, encodeRawBuffer } from '../../src/storage/raw-buffer.ts';

const SERIES = seriesOf([1_000_000, 2_000_000, 5_000_000], [1.5, -0, Number.NaN]);
const FLOORS = new Map([
  [60_000_000, 1_425_600_060_000_000],
  [1_000_000, 1_425_600_002_000_000],
]);

describe('raw buffer format', () => {
  it('is the plain series format without floors, so older buffers read unchanged', () => {
    const plain = encodeRawBuffer(SERIES);
    assert.deepEqual(plain, encodeSeries(SERIES));
    const decoded = decodeRawBuffer(plain);
    assert.deepEqual([...decoded.series.timestamps], [...SERIES.timestamps]);
    assert.equal(decoded.floors.size, 0);
  });

  it('keeps the floors, sorted by granularity, and the points bit for bit', () => {
    const bytes = encodeRawBuffer(SERIES, FLOORS);
    assert.equal(bytes.length % 4, 0);
    const { series, floors } = decodeRawBuffer(bytes);
    assert.deepEqual(
      [...floors],
      [...FLOORS].sort(([a], [b]) => a - b),
    );
    assert.deepEqual([...series.timestamps], [...SERIES.timestamps]);
    assert.ok(Object.is(series.values[1], -0) && Number.isNaN(series.values[2]));
    const empty = decodeRawBuffer(encodeRawBuffer(seriesOf([], []), FLOORS));
    assert.equal(empty.series.timestamps.length, 0);
    assert.equal(empty.floors.size, 2);
  });

  it('refuses every flipped byte and every truncation', () => {
    const bytes = encodeRawBuffer(SERIES, FLOORS);
    for (let at = 0; at < bytes.length; at++) {
      const flipped = Uint8Array.from(bytes);
      flipped[at] = (flipped[at] as number) ^ 0x21;
      assert.throws(() => decodeRawBuffer(flipped), InvalidDataError, `byte ${at}`);
    }
    for (let length = 0; length < bytes.length; length++) {
      assert.throws(() => decodeRawBuffer(bytes.subarray(0, length)), InvalidDataError);
    }
  });

  it('refuses floors that are not whole microseconds', () => {
    assert.throws(() => decodeRawBuffer(encodeRawBuffer(SERIES, new Map([[1.5, 3]]))), /bad floor/);
    assert.throws(
      () => encodeRawBuffer(SERIES, new Map(Array.from({ length: 256 }, (_, i) => [i + 1, 0]))),
      RangeError,
    );
  });
});
