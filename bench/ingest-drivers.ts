/**
 * Ingest figures: parsing throughput per timestamp format, the batch codec, and write/read
 * throughput of the incoming drivers (file with and without fsync; Redis on ORZO_BENCH_REDIS,
 * default redis://127.0.0.1:6379, under a random prefix that is deleted afterwards).
 *
 * Run: node --import tsx bench/ingest-drivers.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import {
  createIncomingRedisClient,
  decodeMeasureBatch,
  encodeMeasureBatch,
  FileIncomingDriver,
  Incoming,
  parseMeasures,
  RedisIncomingDriver,
  type IncomingDriver,
  type MeasureBatch,
} from '../src/ingest/index.ts';

const NOW = Date.UTC(2020, 0, 1) * 1000;
const POINTS = 1_000_000;

/** Prints the best of five runs after a warm-up. */
function rate(label: string, count: number, unit: string, run: () => void): void {
  run();
  let seconds = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    run();
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
  }
  console.log(`${label.padEnd(44)} ${(count / seconds / 1e6).toFixed(2).padStart(8)} M${unit}/s`);
}

function benchParsing(): MeasureBatch {
  const base = 1_425_652_437;
  const epoch = Array.from({ length: POINTS }, (_, i) => ({ timestamp: base + i, value: i * 0.5 }));
  const fractional = epoch.map((m, i) => ({
    timestamp: m.timestamp + (i % 1000) / 1000,
    value: m.value,
  }));
  const iso = epoch.slice(0, POINTS / 10).map((m) => ({
    timestamp: new Date(m.timestamp * 1000).toISOString(),
    value: String(m.value),
  }));
  let batch: MeasureBatch | undefined;
  rate(
    'parse epoch seconds (integers)',
    POINTS,
    'measures',
    () => (batch = parseMeasures(epoch, { now: NOW })),
  );
  rate('parse epoch seconds (fractional)', POINTS, 'measures', () =>
    parseMeasures(fractional, { now: NOW }),
  );
  rate('parse ISO 8601 strings, string values', iso.length, 'measures', () =>
    parseMeasures(iso, { now: NOW }),
  );
  const json = JSON.stringify(epoch);
  rate('JSON.parse of the same body (for scale)', POINTS, 'measures', () => {
    JSON.parse(json);
  });
  if (batch === undefined) throw new Error('unreachable');
  return batch;
}

function benchCodec(batch: MeasureBatch): void {
  const small = {
    timestamps: batch.timestamps.subarray(0, 10),
    values: batch.values.subarray(0, 10),
  };
  rate('encode 10-measure batches', 100_000 * 10, 'measures', () => {
    for (let i = 0; i < 100_000; i++) encodeMeasureBatch(small);
  });
  let bytes = encodeMeasureBatch(batch);
  rate('encode a 1M-measure batch', POINTS, 'measures', () => (bytes = encodeMeasureBatch(batch)));
  rate('decode a 1M-measure batch', POINTS, 'measures', () => decodeMeasureBatch(bytes));
}

async function benchDriver(label: string, driver: IncomingDriver, requests: number): Promise<void> {
  const incoming = new Incoming(driver);
  await incoming.upgrade(128);
  const metrics = Array.from({ length: 100 }, () => randomUUID());
  const batch = {
    timestamps: Float64Array.from({ length: 10 }, (_, i) => (NOW + i) * 1),
    values: new Float64Array(10).fill(1),
  };
  let start = performance.now();
  for (let i = 0; i < requests; i++)
    await incoming.enqueueMeasures(metrics[i % metrics.length] as string, batch);
  const writeSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const listed = await incoming.listPendingBatches(metrics);
  for (const metricId of metrics) {
    const pending = await incoming.readPending(metricId, {
      ...(listed === undefined ? {} : { listed: listed.get(metricId) ?? [] }),
    });
    await incoming.deletePending(metricId, pending.handles);
  }
  const readSeconds = (performance.now() - start) / 1000;
  console.log(
    `${label.padEnd(44)} ${(requests / writeSeconds).toFixed(0).padStart(8)} writes/s (10 measures each, sequential); ` +
      `read+delete ${(requests / readSeconds).toFixed(0)} batches/s`,
  );
}

async function benchDrivers(): Promise<void> {
  for (const fsync of [false, true]) {
    const basePath = await mkdtemp(join(tmpdir(), 'orzo-bench-'));
    try {
      await benchDriver(
        `file driver, fsync=${fsync}`,
        new FileIncomingDriver({ basePath, fsync }),
        2000,
      );
    } finally {
      await rm(basePath, { recursive: true, force: true });
    }
  }
  const client = createIncomingRedisClient(
    process.env.ORZO_BENCH_REDIS ?? 'redis://127.0.0.1:6379',
  );
  const prefix = `orzo-bench-${randomUUID()}:`;
  try {
    await new Promise((resolve) => client.once('ready', resolve));
    await benchDriver('redis driver', new RedisIncomingDriver({ client, prefix }), 5000);
  } finally {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  }
}

benchCodec(benchParsing());
await benchDrivers();
