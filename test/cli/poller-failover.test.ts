/**
 * The poller across a reporter failover: two `orzo metricd` on Redis coordination, each with the
 * poller enabled (only the active reporter's runs), dump a real agent through a proxy; the
 * active reporter is SIGKILLed while it waits for a dump's answer. The standby takes over and
 * dumps what was never acknowledged; every sample the agent took is counted once in the
 * aggregates (a `count` policy at 1 s), none lost and none twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startAgent, type RunningAgent } from '../../src/agent/host-agent.ts';
import { request } from '../support/aggregate-workload.ts';
import { startClusterTopology, type ClusterTopology } from '../support/cluster-topology.ts';
import { startCuttingProxy, type CuttingProxy } from '../support/cutting-proxy.ts';
import { PROC_FIXTURE } from '../support/proc-fixture.ts';
import { warningLogger } from '../support/warning-logger.ts';

const SECRET = 'the-failover-test-shared-secret';

/** One count per second, so that the sum of counts is the number of samples stored. */
const COUNT_POLICY = {
  name: 'host-count',
  aggregation_methods: ['count'],
  definition: [{ granularity: 1, timespan: 3600 }],
};

describe('the host poller across a reporter failover', () => {
  let cluster: ClusterTopology;
  let agent: RunningAgent;
  let proxy: CuttingProxy;
  /** Times of the samples the agent took while `sampling`. */
  const taken: number[] = [];
  let sampling = true;

  before(async () => {
    cluster = await startClusterTopology({
      storage: 'file',
      metricds: 2,
      workers: 1,
      apis: 1,
      env: {
        ORZO_POLLER_ENABLED: 'true',
        ORZO_POLLER_SECRET: SECRET,
        ORZO_POLLER_QUANTUM_SECONDS: '1',
        ORZO_POLLER_TIMEOUT_SECONDS: '5',
        ORZO_POLLER_ARCHIVE_POLICY: COUNT_POLICY.name,
      },
    });
    agent = await startAgent({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      hostname: 'web-9',
      procRoot: PROC_FIXTURE,
      quantumSeconds: 1,
      maxSamples: 10_000,
      maxBytes: 100_000_000,
      logger: warningLogger().logger,
    });
    // NOTE: the test counts what the agent queues (from its first sample, taken as it started),
    // and stops it queueing at the end while it keeps answering, so that what it took is known
    // once its queue is empty.
    taken.push(...agent.queue.pending(agent.queue.length).map((sample) => sample.time));
    const push = agent.queue.push.bind(agent.queue);
    agent.queue.push = (time, figures) => {
      if (!sampling) return 0;
      taken.push(time);
      return push(time, figures);
    };
    proxy = await startCuttingProxy(agent.port);
  });
  after(async () => {
    await agent.close();
    await proxy.close();
    await cluster.dispose();
  });

  it('counts every sample once when the active reporter dies mid-dump', (t) =>
    cluster.explainFailure(async () => {
      const url = cluster.apis[0]!.url;
      await request(url, 'POST', '/v1/archive_policy', COUNT_POLICY);
      cluster.runOrzo(['host', 'add', 'web-9', `127.0.0.1:${String(proxy.port)}`]);
      const before = await cluster.untilStatus(
        'an active reporter and a standby',
        (s) => s.metricd.reporters?.active != null && s.metricd.reporters.standbys.length === 1,
      );
      const active = before.metricd.reporters!.active!;
      await until('a few samples acknowledged', () => taken.length >= 3 && agent.queue.length <= 1);

      const release = await proxy.holdNextAnswer('"samples"');
      const victim = cluster.metricds.find((metricd) => metricd.pid === active.pid);
      assert.ok(victim !== undefined);
      await victim.kill('SIGKILL');
      release();
      const unacknowledged = agent.queue.length;
      await cluster.untilStatus(
        'the standby taking over',
        (s) =>
          s.metricd.reporters?.active != null &&
          s.metricd.reporters.active.pid !== active.pid &&
          s.metricd.reporters.epoch > before.metricd.reporters!.epoch,
      );
      const takenAtTakeover = taken.length;
      await until('samples after the takeover', () => taken.length >= takenAtTakeover + 3);

      sampling = false;
      await until('the queue emptied', () => agent.queue.length === 0);
      const resource = (await request(url, 'GET', '/v1/resource/host/web-9')) as {
        metrics: Record<string, string>;
      };
      const id = resource.metrics.node_load1;
      assert.ok(id !== undefined);
      const points = (await request(
        url,
        'GET',
        `/v1/metric/${id}/measures?aggregation=count&granularity=1&refresh=true`,
      )) as [string, number, number][];
      const counted = points.reduce((sum, [, , count]) => sum + count, 0);
      assert.equal(counted, taken.length, 'each sample counted once');
      assert.equal(agent.queue.dropped, 0);
      t.diagnostic(
        `${taken.length} samples, ${unacknowledged} unacknowledged at the kill, ` +
          `all counted once after the takeover`,
      );
    }));
});

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within 60 s`);
    await sleep(100);
  }
}
