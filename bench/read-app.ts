/**
 * The API and its services built in the bench process on a fresh data folder, with 100 metrics of
 * 360 points processed through the chef, for the benchmarks that time reads without a second
 * process or an HTTP client (reads are `inject`ed, `concurrency` at a time), or that drive it
 * from elsewhere over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { buildEngineApp } from '../src/cli/api.ts';
import { openEngineServices } from '../src/cli/engine-services.ts';
import { runUpgrade } from '../src/cli/upgrade.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { OpTracker } from '../src/optracker/index.ts';
import { keepStringPrototypeFast } from '../src/redis/keep-string-prototype-fast.ts';
import { ADMIN, createBenchMetrics, measureBodies, postMeasureBodies } from './bench-workload.ts';

/** An app ready to read from. */
export interface ReadApp {
  readonly tracker: OpTracker;
  /** Where the app listens, on loopback. */
  readonly url: string;
  /** The metrics to read. */
  readonly ids: readonly string[];
  /** Makes `count` reads of `GET /v1/metric/<id>/measures?granularity=60&aggregation=mean`. */
  read(count: number): Promise<void>;
  close(): Promise<void>;
}

const SHAPE = { metrics: 100, points: 360 };

/** Builds the app, feeds and processes its metrics. */
export async function openReadApp(concurrency: number): Promise<ReadApp> {
  // NOTE: as every orzo process does once its modules are loaded.
  keepStringPrototypeFast();
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-bench-reads-'));
  const config = resolveConfig([{ dataDir, log: { level: 'silent' } }]);
  await runUpgrade(config, {
    skipArchivePoliciesCreation: false,
    skipIndex: false,
    skipIncoming: false,
    skipStorage: false,
  });
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const services = openEngineServices(config, silent);
  const app = buildEngineApp(config, services);
  const close = async (): Promise<void> => {
    await app.close();
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
    const ids = await createBenchMetrics(url, SHAPE.metrics, concurrency);
    await postMeasureBodies(url, measureBodies(ids, SHAPE, 5000), concurrency);
    for (const id of ids) await services.chef.refreshMetric(id, 10_000);
    const read = async (count: number): Promise<void> => {
      for (let start = 0; start < count; start += concurrency) {
        await Promise.all(
          Array.from({ length: concurrency }, async (_, index) => {
            const id = ids[(start + index) % ids.length] ?? '';
            const response = await app.inject({
              method: 'GET',
              url: `/v1/metric/${id}/measures?granularity=60&aggregation=mean`,
              headers: ADMIN,
            });
            if (response.statusCode !== 200) throw new Error(response.body);
          }),
        );
        // NOTE: a server meets each request on an I/O turn of its own. Without a turn, every read
        // would be one job, and what the job keeps alive for WeakRefs (whole requests, here) would
        // pile up until the loop is let go, making every collection dearer.
        await nextTurn();
      }
    };
    return { tracker: services.tracker, url, ids, read, close };
  } catch (error) {
    await close();
    throw error;
  }
}
