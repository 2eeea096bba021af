/**
 * `orzo backup` of a running `orzo serve` under load, restored into a new folder and served
 * there: every aggregate of what was acknowledged before the backup began is identical, and what
 * was posted during it is counted at most once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  E2E_POLICY,
  assertAggregatesMatch,
  batchBodies,
  createPolicyAndMetrics,
  makeSeries,
  postBodies,
  readTriples,
  waitForDrain,
  type PostedMeasure,
} from '../support/aggregate-workload.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import {
  freePort,
  launchMetricd,
  launchOrzo,
  runOrzo,
  startOrzo,
  type OrzoProcess,
} from '../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');
const START = 1_700_000_000;
const SLOW_METRICD = {
  ORZO_METRICD_TICK_SECONDS: '0.1',
  ORZO_METRICD_MAX_BLOCK_SIZE: '1',
  ORZO_METRICD_METRIC_CONCURRENCY: '1',
  ORZO_METRICD_WORKERS: '1',
};

/** Runs `orzo <args>` without blocking the test's event loop (the load goes on meanwhile). */
function orzoAsync(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ORZO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    // NOTE: 'close', once its pipes are read to the end: 'exit' can come before the last output.
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

describe('orzo backup and restore', () => {
  let source: OrzoProcess;
  const folders: string[] = [];
  const folder = (prefix: string): string => {
    const path = mkdtempSync(join(tmpdir(), prefix));
    folders.push(path);
    return path;
  };

  before(async () => {
    // NOTE: the API alone at first, so that what is acknowledged before the backup is still
    // waiting when metricd starts processing it, while the backup copies.
    source = await startOrzo('api');
  });
  after(async () => {
    await source.stop();
    for (const path of folders) rmSync(path, { recursive: true, force: true });
  });

  it('copies under load what was acknowledged, and restores it exactly', async () => {
    const ids = await createPolicyAndMetrics(source.url, E2E_POLICY, 8);
    const random = mulberry32(7);
    const series = (metricIds: readonly string[]) =>
      new Map(metricIds.map((id) => [id, makeSeries({ points: 400, start: START, random })]));
    const before = series(ids.slice(0, 4));
    const during = series(ids.slice(4));
    await postBodies(source.url, batchBodies(before, 20), 4);
    const load = postBodies(source.url, batchBodies(during, 40), 2);
    const backupDir = join(folder('orzo-backup-'), 'copy');
    const [backup, metricd] = await Promise.all([
      orzoAsync(['backup', backupDir, '--data-dir', source.dataDir]),
      launchMetricd({ dataDir: source.dataDir, env: SLOW_METRICD }),
    ]);
    after(() => metricd.stop());
    assert.equal(backup.code, 0, backup.output);
    assert.match(
      backup.output,
      /^backup: \d+ incoming files, \d+ storage objects and the index copied/m,
    );
    await load;

    const restored = folder('orzo-restored-');
    assert.match(runOrzo(['restore', backupDir, '--data-dir', restored]), /^restore: /);
    const again = await orzoAsync(['restore', backupDir, '--data-dir', restored]);
    assert.equal(again.code, 2);
    assert.match(again.output, /exists: restore into an empty data folder/);

    const copy = await launchOrzo('serve', {
      dataDir: restored,
      port: await freePort(),
      env: SLOW_METRICD,
    });
    try {
      await waitForDrain(copy.url, 120_000);
      await waitForDrain(source.url, 120_000);
      await assertAggregatesMatch(copy.url, E2E_POLICY, before);
      await assertCountedAtMostOnce(copy.url, source.url, during);
    } finally {
      await copy.stop();
    }
  });
});

/** Per bucket, the copy counts no more points than the source, which has every one of them. */
async function assertCountedAtMostOnce(
  copyUrl: string,
  sourceUrl: string,
  series: ReadonlyMap<string, readonly PostedMeasure[]>,
): Promise<void> {
  const item = E2E_POLICY.items[0] as (typeof E2E_POLICY.items)[0];
  for (const metricId of series.keys()) {
    const copied = new Map(
      (await readTriples(copyUrl, metricId, item, 'count')).map(([ts, , count]) => [ts, count]),
    );
    const original = new Map(
      (await readTriples(sourceUrl, metricId, item, 'count')).map(([ts, , count]) => [ts, count]),
    );
    for (const [ts, count] of copied) {
      assert.ok(
        count <= (original.get(ts) ?? 0),
        `${metricId} at ${ts}: ${count} points in the copy`,
      );
    }
  }
}
