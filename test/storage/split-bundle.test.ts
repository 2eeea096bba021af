import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  encodeSeries,
  InvalidDataError,
  seriesOf,
  type Series,
} from '../../src/carbonara/index.ts';
import { decodeSplitBundle, encodeSplitBundle } from '../../src/storage/split-bundle.ts';
import { seriesArbitrary } from '../carbonara/series-arbitrary.ts';

const MINUTE = 60_000_000;

function bundleOf(entries: Record<string, Series>): Map<string, Series> {
  return new Map(Object.entries(entries));
}

function sameBits(actual: Series | undefined, expected: Series): void {
  assert.ok(actual !== undefined);
  assert.deepEqual(
    Buffer.from(
      actual.timestamps.buffer,
      actual.timestamps.byteOffset,
      actual.timestamps.byteLength,
    ),
    Buffer.from(
      expected.timestamps.buffer,
      expected.timestamps.byteOffset,
      expected.timestamps.byteLength,
    ),
  );
  assert.deepEqual(
    Buffer.from(actual.values.buffer, actual.values.byteOffset, actual.values.byteLength),
    Buffer.from(expected.values.buffer, expected.values.byteOffset, expected.values.byteLength),
  );
}

const SAMPLE = bundleOf({
  mean: seriesOf([0, MINUTE, 3 * MINUTE], [1.5, -0, NaN]),
  'rate:95pct': seriesOf([MINUTE], [Infinity]),
  count: seriesOf([0, MINUTE, 3 * MINUTE], [2, 1, 7]),
});

describe('split bundle', () => {
  it('round-trips every method bit for bit, and decodes one method alone', () => {
    const bytes = encodeSplitBundle(SAMPLE);
    const decoded = decodeSplitBundle(bytes);
    assert.deepEqual([...decoded.keys()].sort(), ['count', 'mean', 'rate:95pct']);
    for (const [method, series] of SAMPLE) sameBits(decoded.get(method), series);
    const one = decodeSplitBundle(bytes, ['count', 'max']);
    assert.deepEqual([...one.keys()], ['count']);
  });

  it('is deterministic, starts with a versioned magic and aligns every payload', () => {
    const reordered = new Map([...SAMPLE].reverse());
    const bytes = encodeSplitBundle(SAMPLE);
    assert.deepEqual(encodeSplitBundle(reordered), bytes);
    assert.deepEqual([...bytes.subarray(0, 5)], [0x4f, 0x5a, 0x53, 0x42, 1]);
    const payloadBytes = [...SAMPLE.values()].reduce((sum, s) => sum + encodeSeries(s).length, 0);
    assert.equal((bytes.length - payloadBytes) % 4, 0);
  });

  it('leaves out empty series and encodes an empty bundle', () => {
    const empty = seriesOf([], []);
    assert.deepEqual(decodeSplitBundle(encodeSplitBundle(bundleOf({ std: empty }))), new Map());
    assert.equal(encodeSplitBundle(new Map()).length, 12);
  });

  it('refuses bad method names', () => {
    assert.throws(() => encodeSplitBundle(bundleOf({ 'Mean!': seriesOf([0], [1]) })), RangeError);
  });

  it('round-trips arbitrary series', () => {
    fc.assert(
      fc.property(fc.array(seriesArbitrary(40), { maxLength: 4 }), (all) => {
        const methods = new Map(all.map((series, i) => [`${i + 1}pct`, series]));
        const decoded = decodeSplitBundle(encodeSplitBundle(methods));
        for (const [method, series] of methods) {
          if (series.timestamps.length === 0) assert.equal(decoded.has(method), false);
          else sameBits(decoded.get(method), series);
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('throws InvalidDataError on every truncation and on trailing bytes', () => {
    const bytes = encodeSplitBundle(SAMPLE);
    for (let length = 0; length < bytes.length; length++) {
      assert.throws(
        () => decodeSplitBundle(bytes.subarray(0, length)),
        InvalidDataError,
        `${length}`,
      );
    }
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    assert.throws(() => decodeSplitBundle(longer), InvalidDataError);
  });

  it('throws InvalidDataError on any flipped byte, header or payload', () => {
    const bytes = encodeSplitBundle(SAMPLE);
    for (let at = 0; at < bytes.length; at++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const flipped = Uint8Array.from(bytes);
        flipped[at] = (flipped[at] as number) ^ mask;
        assert.throws(() => decodeSplitBundle(flipped), InvalidDataError, `byte ${at} ^ ${mask}`);
      }
    }
  });

  it('refuses an unknown version', () => {
    const bytes = encodeSplitBundle(SAMPLE);
    bytes[4] = 2;
    assert.throws(() => decodeSplitBundle(bytes), /unknown version 2/);
  });
});
