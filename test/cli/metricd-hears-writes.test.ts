/**
 * metricd starts on measures as soon as they are written, not at its next tick: with the tick ten
 * minutes away, a posted series must be folded within seconds. Under `orzo serve` the API's write
 * tells the reporter of its own process; with `orzo api` and `orzo metricd` apart on one data
 * folder, metricd hears the API's appends to the incoming journal.
 */
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  E2E_POLICY,
  assertAggregatesMatch,
  batchBodies,
  createPolicyAndMetrics,
  makeSeries,
  postBodies,
  request,
  waitForDrain,
} from '../support/aggregate-workload.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { launchMetricd, startOrzo } from '../support/orzo-process.ts';

const FAR_TICK = { ORZO_METRICD_TICK_SECONDS: '600' };
const START = 1_700_000_000;

/**
 * Waits for the reporter's first publication, which follows its first tick: that tick runs once
 * metricd has started, after the API answers, and could otherwise be what finds the measures.
 */
async function waitForFirstTick(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = (await request(url, 'GET', '/v1/status?details=false')) as {
      metricd: { reporter?: unknown };
    };
    if (status.metricd.reporter !== undefined || Date.now() > deadline) return;
    await sleep(100);
  }
}

/** Posts a series to a new metric; it must be folded, and right, within 30 s. */
async function postAndExpectFolded(url: string, seed: number): Promise<void> {
  const [metricId] = await createPolicyAndMetrics(url, E2E_POLICY, 1);
  const measures = makeSeries({ points: 50, start: START, random: mulberry32(seed) });
  const series = new Map([[metricId!, measures]]);
  await postBodies(url, batchBodies(series, 1_000), 1);
  await waitForDrain(url, 30_000);
  await assertAggregatesMatch(url, E2E_POLICY, series);
}

describe('metricd with its next tick far off', () => {
  it('folds what orzo serve is posted at once: the API tells its reporter', async () => {
    const orzo = await startOrzo('serve', ['--workers', '2'], { env: FAR_TICK });
    try {
      await waitForFirstTick(orzo.url);
      await postAndExpectFolded(orzo.url, 3);
    } finally {
      await orzo.stop();
    }
  });

  it('folds what orzo api is posted at once: metricd hears its journal', async () => {
    const api = await startOrzo('api');
    try {
      const metricd = await launchMetricd({
        dataDir: api.dataDir,
        flags: ['--workers', '1'],
        env: FAR_TICK,
      });
      try {
        await waitForFirstTick(api.url);
        await postAndExpectFolded(api.url, 4);
      } finally {
        await metricd.stop();
      }
    } finally {
      await api.stop();
    }
  });
});
