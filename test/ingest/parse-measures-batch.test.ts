import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidMeasuresError } from '../../src/ingest/errors.ts';
import { parseMeasuresBatch } from '../../src/ingest/parse-measures-batch.ts';

const A = 'edd43480-fc99-4884-8de3-a527c1ce72f5';
const B = '5a301761-aaaa-46e2-8900-8b4f6fe6675a';
const S = 1_000_000;
const parse = (body: unknown) => parseMeasuresBatch(body, { now: 0 });

describe('parseMeasuresBatch', () => {
  it('parses one list per metric, keyed by canonical id, in body order', () => {
    const batches = parse({
      [B.toUpperCase()]: [{ timestamp: 2, value: 2 }],
      [A]: [{ timestamp: '1970-01-01T00:00:01', value: '1' }],
    });
    assert.deepEqual([...batches.keys()], [B, A]);
    assert.deepEqual([...(batches.get(A)?.timestamps ?? [])], [S]);
    assert.deepEqual([...(batches.get(B)?.values ?? [])], [2]);
  });

  it('joins two keys naming the same metric, in body order', () => {
    const batches = parse({
      [A]: [{ timestamp: 1, value: 1 }],
      [A.toUpperCase()]: [{ timestamp: 2, value: 2 }],
    });
    assert.deepEqual([...(batches.get(A)?.timestamps ?? [])], [S, 2 * S]);
  });

  it('accepts an empty object and empty lists', () => {
    assert.equal(parse({}).size, 0);
    assert.equal(parse({ [A]: [] }).get(A)?.timestamps.length, 0);
  });

  const refused: [string, unknown, string, string | undefined, number | undefined][] = [
    ['a list body', [], 'batch-format', undefined, undefined],
    ['a null body', null, 'batch-format', undefined, undefined],
    ['a key that is not a UUID', { foo: [] }, 'metric-id', 'foo', undefined],
    ['a bad list under a key', { [A]: [], [B]: [{ timestamp: 1, value: 'x' }] }, 'value', B, 0],
    ['a non-list under a key', { [A]: { timestamp: 1, value: 1 } }, 'format', A, undefined],
    [
      'a resources-style value',
      { [A]: { archive_policy_name: 'low', measures: [] } },
      'format',
      A,
      undefined,
    ],
  ];
  for (const [name, body, reason, metricKey, index] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parse(body),
        (error: unknown) =>
          error instanceof InvalidMeasuresError &&
          error.reason === reason &&
          error.metricKey === metricKey &&
          error.index === index,
      );
    });
  }
});
