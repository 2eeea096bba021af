/**
 * `npm run bench:lookup`: what looking up the metrics of one batch request costs in the SQLite
 * indexer (the embedded default), against how many metrics it holds. `POST
 * /v1/batch/metrics/measures` asks `getMetrics` for every metric its body names before it
 * accepts the body, so this cost is paid per request; it must not grow with the metric count.
 *
 * For each count the bench creates that many metrics in a fresh data folder, then times
 * `getMetrics` over consecutive runs of `--ids` of them (84 is what a 5,000-measure body of the
 * 10,000 × 60 workload names). Prints one JSON object: per count, the median milliseconds of a
 * call over `--rounds` passes over every metric.
 *
 * Options: `--metrics 10000,100000` `--ids 84` `--rounds 3`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { createArchivePolicy } from '../src/archive-policy/index.ts';
import { openEngineServices } from '../src/cli/engine-services.ts';
import { runUpgrade } from '../src/cli/upgrade.ts';
import { loadConfig } from '../src/config/index.ts';

const { values: flags } = parseArgs({
  options: {
    metrics: { type: 'string', default: '10000,100000' },
    ids: { type: 'string', default: '84' },
    rounds: { type: 'string', default: '3' },
  },
});
const IDS = Number(flags.ids);
const ROUNDS = Number(flags.rounds);

/** Median milliseconds of one `getMetrics` call of `IDS` ids among `count` metrics. */
async function lookupCost(count: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-bench-lookup-'));
  try {
    const { config } = loadConfig({ argv: ['--data-dir', dataDir], env: {} });
    await runUpgrade(config, {
      skipArchivePoliciesCreation: true,
      skipIndex: false,
      skipIncoming: true,
      skipStorage: true,
    });
    const services = openEngineServices(config, pino({ level: 'error' }));
    try {
      const { indexer } = services;
      await indexer.createArchivePolicy(
        createArchivePolicy(
          { name: 'bench', definition: [{ granularity: '1 minute', timespan: '1 day' }] },
          { defaultAggregationMethods: ['mean'] },
        ),
      );
      const ids: string[] = [];
      for (let made = 0; made < count; made++) {
        const id = crypto.randomUUID();
        await indexer.createMetric({ id, archivePolicyName: 'bench', creator: 'bench' });
        ids.push(id);
      }
      const perCall: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let calls = 0;
        const started = performance.now();
        for (let at = 0; at + IDS <= ids.length; at += IDS) {
          const found = await indexer.getMetrics(ids.slice(at, at + IDS));
          if (found.length !== IDS) throw new Error(`found ${String(found.length)} of ${IDS}`);
          calls++;
        }
        perCall.push((performance.now() - started) / calls);
      }
      perCall.sort((a, b) => a - b);
      return Number((perCall[Math.floor(perCall.length / 2)] ?? 0).toFixed(3));
    } finally {
      await services.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: { metrics: number; ms_per_lookup: number }[] = [];
for (const count of flags.metrics.split(',').map(Number)) {
  results.push({ metrics: count, ms_per_lookup: await lookupCost(count) });
}
process.stdout.write(
  `${JSON.stringify({ node: process.version, ids_per_lookup: IDS, rounds: ROUNDS, results }, null, 2)}\n`,
);
