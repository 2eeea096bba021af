/**
 * `npm run bench:ingest`: measures accepted per second through `POST /v1/batch/metrics/measures`,
 * in batches of 5,000 measures from 8 concurrent clients, against `orzo api` running in its own
 * process (logging every request to $TMPDIR/orzo-bench-ingest.log, as it logs by default), on:
 * the file incoming store with fsync before each 202 (the default), the file store without fsync,
 * and Redis (the local server, under a random key prefix deleted afterwards). Two shapes: 1,000
 * metrics × 360 points and 10,000 metrics × 60 points (see `bench-workload.ts`). Prints one JSON
 * object.
 *
 * Options: `--rounds N` (default 3: the workload is posted N times, with later timestamps),
 * `--concurrency N` (default 8), `--batch N` (default 5000), `--redis URL`.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Redis } from 'ioredis';

import { startOrzo } from '../test/support/orzo-process.ts';
import { deleteKeys } from '../test/support/redis.ts';
import {
  createBenchMetrics,
  measureBodies,
  postMeasureBodies,
  type Shape,
} from './bench-workload.ts';
import type { LoadFigures } from './http-load.ts';
import { checkBenchFileSystem } from './file-system-info.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    batch: { type: 'string', default: '5000' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/0' },
  },
});
const ROUNDS = Number(flags.rounds);
const CONCURRENCY = Number(flags.concurrency);
const BATCH = Number(flags.batch);
const LOG_FILE = join(tmpdir(), 'orzo-bench-ingest.log');

const SHAPES: readonly Shape[] = [
  { metrics: 1000, points: 360 },
  { metrics: 10_000, points: 60 },
];

async function measureShape(flagsOf: readonly string[], shape: Shape): Promise<object> {
  const orzo = await startOrzo('api', ['--auth', 'basic', ...flagsOf], { logFile: LOG_FILE });
  try {
    const ids = await createBenchMetrics(orzo.url, shape.metrics, CONCURRENCY);
    const bodies = Array.from({ length: ROUNDS }, (_unused, r) =>
      measureBodies(ids, shape, BATCH, r),
    ).flat();
    const figures: LoadFigures = await postMeasureBodies(orzo.url, bodies, CONCURRENCY);
    const measures = shape.metrics * shape.points * ROUNDS;
    return {
      shape: `${shape.metrics} metrics x ${shape.points} points`,
      measures,
      accepted_measures_per_s: Math.round(measures / figures.seconds),
      ...figures,
    };
  } finally {
    await orzo.stop();
  }
}

async function onBackend(flagsOf: readonly string[]): Promise<object[]> {
  const results: object[] = [];
  for (const shape of SHAPES) results.push(await measureShape(flagsOf, shape));
  return results;
}

async function onRedis(): Promise<object[]> {
  const prefix = `orzo-bench-${randomBytes(6).toString('hex')}:`;
  const url = new URL(flags.redis);
  url.searchParams.set('prefix', prefix);
  try {
    return await onBackend(['--incoming', url.toString()]);
  } finally {
    const redis = new Redis(flags.redis);
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
}

const noFsync = join(tmpdir(), `orzo-bench-nofsync-${randomBytes(4).toString('hex')}.json`);
writeFileSync(noFsync, JSON.stringify({ incomingFsync: false }));
const fileSystem = checkBenchFileSystem(tmpdir());
const figures = {
  node: process.version,
  file_system: fileSystem,
  concurrency: CONCURRENCY,
  batch_measures: BATCH,
  rounds: ROUNDS,
  file_fsync: await onBackend([]),
  file_no_fsync: await onBackend(['--config', noFsync]),
  redis: await onRedis(),
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
