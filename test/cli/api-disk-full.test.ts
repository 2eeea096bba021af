/**
 * `orzo api` on the embedded default whose data folder fills up: a small tmpfs under clients that
 * post all along. While it is full every request gets 202 or a prompt JSON 503 that says so, the
 * API keeps answering and never exits; once the file system is grown, 202s resume without a
 * restart, and every measure answered 202 is in the incoming store, whole and once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { auditIncomingAt } from '../support/incoming-audit.ts';
import type { MeasureTraffic } from '../support/measure-traffic.ts';
import type { OrzoChild } from '../support/orzo-process.ts';
import {
  apiUnderTraffic,
  badErrorBodies,
  hasStatus,
  hung,
  summary,
  trafficWindows,
  unexpected,
} from '../support/outage-checks.ts';

const SMALL = '6m';
const ROOMY = '256m';
const HANG_LIMIT_MS = 10_000;

function mount(...args: string[]): boolean {
  return spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
}

describe('orzo api when its disk is full (file incoming store)', () => {
  const root = mkdtempSync(join(tmpdir(), 'orzo-full-'));
  const dataDir = join(root, 'data');
  let mounted = false;
  let api: OrzoChild | undefined;
  let traffic: MeasureTraffic | undefined;
  let metricIds: string[] = [];

  before(async () => {
    mounted = mount('-t', 'tmpfs', '-o', `size=${SMALL}`, 'tmpfs', root);
    if (!mounted) return;
    ({ api, metricIds, traffic } = await apiUnderTraffic({
      dataDir,
      flags: [],
      metrics: 4,
      clients: 4,
      seed: 20_261_206,
    }));
  });
  after(async () => {
    await traffic?.stop().catch(() => undefined);
    await api?.kill('SIGKILL');
    if (mounted) spawnSync('umount', [root]);
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 503 while full, 202 once grown, and loses nothing acknowledged', async (t) => {
    if (!mounted || traffic === undefined || api === undefined) {
      t.skip('cannot mount a tmpfs here (needs root)');
      return;
    }
    const running = traffic;
    const { finishedSince, untilAcknowledgedSince } = trafficWindows(() => running, {
      acknowledged: 20,
      waitMs: 60_000,
    });
    const startedAt = performance.now();
    await running.until(
      () => finishedSince(startedAt).filter(hasStatus(503)).length >= 10,
      '503s once the disk is full',
      120_000,
    );
    const fullAt = performance.now();
    const health = await fetch(`${api.url}/healthcheck`);
    assert.equal(health.status, 200, 'liveness while full');
    assert.ok(mount('-o', `remount,size=${ROOMY}`, root), 'grew the tmpfs');
    const grownAt = performance.now();
    await untilAcknowledgedSince(grownAt, '202s once the disk has room');
    await running.stop();
    assert.equal(api.hasExited(), false, `orzo api exited: ${api.output().slice(-2000)}`);

    const { sent } = running;
    const whileFull = finishedSince(fullAt).filter(({ startedAt: s }) => s < grownAt);
    assert.deepEqual(unexpected(sent, [202, 503]), [], 'every answer is a 202 or a 503');
    assert.deepEqual(hung(sent, HANG_LIMIT_MS), []);
    assert.deepEqual(badErrorBodies(sent), []);
    const refused = sent.find(hasStatus(503));
    assert.match(
      refused?.outcome.kind === 'answered' ? refused.outcome.body : '',
      /incoming storage is full/,
    );
    const audit = await auditIncomingAt(`file://${dataDir}`, {
      metricIds,
      sent,
      atomicRequests: false,
    });
    assert.deepEqual(audit.problems, []);
    t.diagnostic(
      `${summary('finished while full', whileFull)}; ${sent.length} requests in all, ` +
        `${audit.acknowledged} answered 202, ${audit.measures} measures stored`,
    );
  });
});
