/**
 * The parsing pool: large bodies parsed by a worker thread give what parsing in place gives, their
 * refusals included, and a body that exhausts a worker's heap is refused while the pool goes on.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import {
  MeasuresParsePool,
  PARSE_IN_WORKER_BYTES,
} from '../../../src/api/ingest/measures-parse-pool.ts';
import { parseMeasuresBody } from '../../../src/api/ingest/measures-body.ts';

const NOW = 1_700_000_000_000_000;
const ID = '0b1cb5e0-4a3c-4b68-9a8d-6c3f0a7c2f11';

function measuresText(count: number, last = '1.5'): string {
  const items = Array.from({ length: count }, (_, i) =>
    i === count - 1
      ? `{"timestamp": ${1_600_000_000 + i}, "value": ${last}}`
      : `{"timestamp": ${1_600_000_000 + i}, "value": ${i % 97}}`,
  );
  return `[${items.join(',')}]`;
}

const plain = (parsed: ReadonlyMap<string, { timestamps: Float64Array; values: Float64Array }>) =>
  [...parsed].map(([key, batch]) => [key, [...batch.timestamps], [...batch.values]]);

describe('MeasuresParsePool', () => {
  const pool = new MeasuresParsePool({ workers: 1, heapMb: 64, timeoutMs: 2_000 });
  // NOTE: the pool's workers do not keep a process alive (a server does); the tests must.
  const keepAlive = setInterval(() => undefined, 1000);
  after(async () => {
    clearInterval(keepAlive);
    await pool.close();
  });

  it('parses a large body in a worker exactly as in place', async () => {
    const raw = Buffer.from(measuresText(40_000));
    assert.ok(raw.length >= PARSE_IN_WORKER_BYTES);
    const expected = plain(parseMeasuresBody(raw, 'one', NOW));
    assert.deepEqual(plain(await pool.parse(raw, 'one', NOW)), expected);
    const batch = Buffer.from(`{"${ID}": ${measuresText(40_000)}}`);
    assert.deepEqual(
      plain(await pool.parse(batch, 'batch', NOW)),
      plain(parseMeasuresBody(batch, 'batch', NOW)),
    );
  });

  it('refuses in a worker with the errors of parsing in place', async () => {
    const badValue = Buffer.from(measuresText(40_000, '"ten"'));
    await assert.rejects(pool.parse(badValue, 'one', NOW), {
      name: 'InvalidMeasuresError',
      reason: 'value',
      index: 39_999,
    });
    const notJson = Buffer.from(`${measuresText(40_000)}]`);
    await assert.rejects(pool.parse(notJson, 'one', NOW), { name: 'UndecodableBodyError' });
  });

  it('refuses a body that exhausts the worker heap or time, then goes on', async () => {
    const hostile = Buffer.from(`[${'{},'.repeat(8 * 2 ** 20)}{}]`);
    await assert.rejects(pool.parse(hostile, 'one', NOW), {
      name: 'BodyTooComplexError',
      message:
        /^Request body is too complex: parsing it (needs more than 64 MiB|takes more than 2 s)$/,
    });
    const raw = Buffer.from(measuresText(40_000));
    assert.equal((await pool.parse(raw, 'one', NOW)).get('')?.timestamps.length, 40_000);
  });

  it('parses small bodies in place', async () => {
    const parsed = await pool.parse(Buffer.from(measuresText(3)), 'one', NOW);
    assert.equal(parsed.get('')?.values.length, 3);
    await assert.rejects(pool.parse(Buffer.from('['), 'one', NOW), {
      name: 'UndecodableBodyError',
    });
  });
});
