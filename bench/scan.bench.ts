/**
 * `npm run bench:scan`: what the reporter's scan (`listPendingBySack`, one listing per sack) and
 * the backlog count (one listing per sack too, batches lying flat in their sack) cost on the
 * file incoming store (128 sacks), against how many metrics are known and how many have
 * measures waiting; and how long `GET /v1/status` waits for its backlog, which it reads through
 * `BacklogCache`.
 *
 * A known metric with nothing waiting leaves nothing in incoming (its batch files go when
 * consumed), so for each `known` count the bench first writes one batch for every known metric
 * and lets a pass consume it (read, then delete), as metricd would, then writes one batch for
 * each of `waiting` of them, and times the scan and the counts. `--known` up to 100,000 runs in
 * full; at 1,000,000 the consumed metrics are left out (`--simulate-known`): they would leave
 * nothing behind, which the runs at lower counts show. Prints one JSON object: median
 * milliseconds of `--rounds` scans and counts per case.
 *
 * Options: `--known 10000,100000` `--waiting 1000,10000,50000` `--simulate-known 1000000`
 * `--rounds 5`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { BacklogCache, FileIncomingDriver, Incoming } from '../src/ingest/index.ts';
import { listPendingBySack } from '../src/metricd/reporter/pending-metrics.ts';

const { values: flags } = parseArgs({
  options: {
    known: { type: 'string', default: '10000,100000' },
    waiting: { type: 'string', default: '1000,10000,50000' },
    'simulate-known': { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
  },
});
const ROUNDS = Number(flags.rounds);
const STATUS_READS = 40;
const STATUS_EVERY_MS = 100;
const counts = (text: string): number[] => text.split(',').filter(Boolean).map(Number);

const ONE_MEASURE = {
  timestamps: Float64Array.of(1_767_225_600_000_000),
  values: Float64Array.of(1),
};

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    await run();
    rounds.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  rounds.sort((a, b) => a - b);
  return Math.round((rounds[Math.floor(rounds.length / 2)] ?? 0) * 100) / 100;
}

/** Writes one batch for each metric, many metrics per call, as the batch endpoint does. */
async function enqueueOne(incoming: Incoming, ids: readonly string[]): Promise<void> {
  for (let at = 0; at < ids.length; at += 1000) {
    const slice = ids.slice(at, at + 1000);
    await incoming.enqueueBatches(new Map(slice.map((id) => [id, ONE_MEASURE])));
  }
}

/**
 * What `GET /v1/status` waits for its backlog: a fresh cache's first read, then `STATUS_READS`
 * reads `STATUS_EVERY_MS` apart, as a dashboard polling it would (through `BacklogCache`, as the
 * route reads it), and the oldest count those reads were given.
 */
async function statusReads(incoming: Incoming): Promise<object> {
  const cache = new BacklogCache(() => incoming.backlog({ details: true }));
  const first = process.hrtime.bigint();
  await cache.read();
  const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
  const waits: number[] = [];
  let oldestMs = 0;
  for (let read = 0; read < STATUS_READS; read++) {
    await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS));
    const started = process.hrtime.bigint();
    const { ageMs } = await cache.read();
    waits.push(Number(process.hrtime.bigint() - started) / 1e6);
    oldestMs = Math.max(oldestMs, ageMs);
  }
  waits.sort((a, b) => a - b);
  const round = (ms: number | undefined): number => Math.round((ms ?? 0) * 100) / 100;
  return {
    status_first_read_ms: round(firstMs),
    status_read_p50_ms: round(waits[Math.floor(waits.length / 2)]),
    status_read_max_ms: round(waits.at(-1)),
    status_oldest_count_ms: round(oldestMs),
  };
}

async function measureCase(known: number, waiting: number, simulated: boolean): Promise<object> {
  const base = mkdtempSync(join(tmpdir(), 'orzo-bench-scan-'));
  // NOTE: no flushes: this measures listings, not durability.
  const incoming = new Incoming(new FileIncomingDriver({ basePath: base, fsync: false }));
  try {
    await incoming.upgrade(128);
    const ids = Array.from({ length: Math.max(known, waiting) }, () => randomUUID());
    if (!simulated) {
      await enqueueOne(incoming, ids);
      // NOTE: as a metricd block reads: one listing per sack, then each metric's listed batches.
      const listed = await incoming.listPendingBatches(ids);
      for (const id of ids) {
        const pending = await incoming.readPending(id, {
          ...(listed === undefined ? {} : { listed: listed.get(id) ?? [] }),
        });
        await incoming.deletePending(id, pending.handles);
      }
    }
    await enqueueOne(incoming, ids.slice(0, waiting));
    const sackFolders = readdirSync(join(base, 'incoming')).filter((name) =>
      name.startsWith('incoming'),
    );
    const leftovers = sackFolders.reduce(
      (sum, sack) => sum + readdirSync(join(base, 'incoming', sack)).length,
      0,
    );
    return {
      known,
      known_simulated: simulated,
      waiting,
      files_in_incoming: leftovers,
      scan_ms: await medianMs(() => listPendingBySack(incoming)),
      backlog_summary_ms: await medianMs(() => incoming.backlog()),
      backlog_details_ms: await medianMs(() => incoming.backlog({ details: true })),
      ...(await statusReads(incoming)),
    };
  } finally {
    await incoming.driver.close();
    rmSync(base, { recursive: true, force: true });
  }
}

const cases: object[] = [];
for (const known of counts(flags.known)) {
  for (const waiting of counts(flags.waiting).filter((count) => count <= known)) {
    cases.push(await measureCase(known, waiting, false));
  }
}
for (const known of counts(flags['simulate-known'])) {
  for (const waiting of counts(flags.waiting)) {
    cases.push(await measureCase(known, waiting, true));
  }
}
console.log(JSON.stringify({ sacks: 128, rounds: ROUNDS, cases }, null, 2));
