import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  formatJsonFloat,
  measureTimestampFormatter,
  renderMeasuresJson,
} from '../../../src/api/views/measures-json.ts';
import { seriesOf } from '../../../src/carbonara/index.ts';

const S = 1_000_000;
const T0 = 1_425_652_437 * S; // 2015-03-06T14:33:57Z

describe('measureTimestampFormatter', () => {
  const format = measureTimestampFormatter();

  it('renders whole seconds as Gnocchi HEAD does', () => {
    assert.equal(format(T0), '2015-03-06T14:33:57+00:00');
    assert.equal(format(0), '1970-01-01T00:00:00+00:00');
    assert.equal(format(86_400 * S - 1 * S), '1970-01-01T23:59:59+00:00');
  });

  it('keeps a sub-second part as six digits, so that timestamps stay distinct', () => {
    assert.equal(format(T0 + 500_000), '2015-03-06T14:33:57.500000+00:00');
    assert.equal(format(T0 + 1), '2015-03-06T14:33:57.000001+00:00');
    assert.equal(format(T0 + 999_999), '2015-03-06T14:33:57.999999+00:00');
  });

  it('gets the hour and day right when consecutive calls change hour, day, month or year', () => {
    assert.equal(format(T0 + 27 * 60 * S), '2015-03-06T15:00:57+00:00');
    assert.equal(format(T0 - 34 * 60 * S), '2015-03-06T13:59:57+00:00');
    assert.equal(format(T0 + 3 * S), '2015-03-06T14:34:00+00:00');
    const midnight = Date.UTC(2016, 0, 1) * 1000;
    assert.equal(format(midnight - S), '2015-12-31T23:59:59+00:00');
    assert.equal(format(midnight), '2016-01-01T00:00:00+00:00');
    assert.equal(format(midnight - 1), '2015-12-31T23:59:59.999999+00:00');
    assert.equal(format(Date.UTC(2016, 1, 29, 12) * 1000), '2016-02-29T12:00:00+00:00');
  });

  it('matches Date for a spread of timestamps', () => {
    for (let ts = 0; ts < 9e15; ts += 123_456_789_012_345) {
      const micros = Math.floor(ts / S) * S;
      const expected = new Date(micros / 1000).toISOString().replace('.000Z', '+00:00');
      assert.equal(format(micros), expected);
    }
  });
});

describe('formatJsonFloat', () => {
  const cases: [number, string][] = [
    [43.1, '43.1'],
    [12, '12.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [-5, '-5.0'],
    [3.3333333333333335, '3.3333333333333335'],
    [0.5, '0.5'],
    [1e-4, '0.0001'],
    [1.5e-5, '1.5e-05'],
    [1e-7, '1e-07'],
    [5e-324, '5e-324'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.2345e21, '1.2345e+21'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [123456789.125, '123456789.125'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ];
  for (const [value, expected] of cases) {
    it(`renders ${String(value)} as Python's json: ${expected}`, () => {
      assert.equal(formatJsonFloat(value), expected);
    });
  }
});

describe('renderMeasuresJson', () => {
  it('answers [] for no groups and for empty groups', () => {
    assert.equal(renderMeasuresJson([]), '[]');
    assert.equal(renderMeasuresJson([{ granularity: 60 * S, ...seriesOf([], []) }]), '[]');
  });

  it('writes triples group after group, granularities as float seconds', () => {
    const text = renderMeasuresJson([
      { granularity: 3600 * S, ...seriesOf([T0 - 57 * S - 33 * 60 * S], [7.5]) },
      { granularity: 60 * S, ...seriesOf([T0 - 57 * S, T0 + 3 * S], [43.1, 12]) },
      { granularity: S / 2, ...seriesOf([T0 + S / 2], [NaN]) },
    ]);
    assert.equal(
      text,
      '[["2015-03-06T14:00:00+00:00",3600.0,7.5],' +
        '["2015-03-06T14:33:00+00:00",60.0,43.1],' +
        '["2015-03-06T14:34:00+00:00",60.0,12.0],' +
        '["2015-03-06T14:33:57.500000+00:00",0.5,NaN]]',
    );
  });

  it('writes a calendar granularity as its letter and filled nulls as null', () => {
    const group = {
      granularity: 'M' as const,
      ...seriesOf([Date.UTC(2015, 2, 1) * 1000, Date.UTC(2015, 3, 1) * 1000], [NaN, -Infinity]),
      nulls: Uint8Array.of(1, 0),
    };
    assert.equal(
      renderMeasuresJson([group]),
      '[["2015-03-01T00:00:00+00:00","M",null],["2015-04-01T00:00:00+00:00","M",-Infinity]]',
    );
  });

  it('gives JSON that parses back to the same points when values are finite', () => {
    const timestamps = Array.from({ length: 1000 }, (_, i) => T0 + i * 60 * S);
    const values = timestamps.map((_, i) => Math.sin(i) * 10 ** ((i % 40) - 20));
    const parsed = JSON.parse(
      renderMeasuresJson([{ granularity: 60 * S, ...seriesOf(timestamps, values) }]),
    ) as [string, number, number][];
    assert.equal(parsed.length, 1000);
    parsed.forEach(([timestamp, granularity, value], i) => {
      assert.equal(Date.parse(timestamp) * 1000, timestamps[i]);
      assert.equal(granularity, 60);
      assert.equal(value, values[i]);
    });
  });

  // NOTE: how fast is measured by `npm run bench:aggregates` (render_36000_points), not here.
  it('renders 36,000 points, each once, in order', () => {
    const timestamps = Array.from({ length: 36_000 }, (_, i) => T0 + i * 10 * S);
    const group = { granularity: 10 * S, ...seriesOf(timestamps, timestamps.map(Math.sqrt)) };
    const parsed = JSON.parse(renderMeasuresJson([group])) as [string, number, number][];
    assert.equal(parsed.length, 36_000);
    assert.equal(Date.parse(parsed[35_999]?.[0] ?? '') * 1000, timestamps[35_999]);
  });
});
