/** Conformance: sub-health groups' settings and findings, with the seed's two queries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TRIGGER_WINDOW_US, type SubhealthFinding } from '../../../src/indexer/index.ts';
import { useIndexer, type MakeIndexer } from './harness.ts';

const S = 1_000_000;
const T0 = 1_800_000_000 * S;

const finding = (
  instance: string,
  checkTime: number,
  extra: Partial<SubhealthFinding> = {},
): SubhealthFinding => ({
  ctime: checkTime + 1,
  cluster: 'workers',
  checkTime,
  hostId: `host-of-${instance}`,
  hostName: `h-${instance}`,
  instanceId: `id-${instance}`,
  instanceName: instance,
  waits: 12.5,
  waitShare: 0.75,
  loadShare: 0.25,
  excess: 3,
  topWaits: { io_wait_seconds: 10, stalled_ops: 2.5 },
  dryRun: false,
  ...extra,
});

/** Runs the sub-health part of the suite. */
export function describeSubhealth(makeIndexer: MakeIndexer): void {
  describe('subhealth', () => {
    const harness = useIndexer(makeIndexer);

    it('keeps one settings record per group, replaced by a put and removed by a delete', async () => {
      const { indexer } = harness();
      assert.deepEqual(await indexer.listSubhealthGroups(), []);
      await indexer.putSubhealthGroup({ name: 'b', settings: { enabled: true }, updatedAt: 1 });
      await indexer.putSubhealthGroup({ name: 'a', settings: { minShare: 0.6 }, updatedAt: 2 });
      await indexer.putSubhealthGroup({
        name: 'b',
        settings: { enabled: false, waits: ['x*'] },
        updatedAt: 3,
      });
      assert.deepEqual(await indexer.listSubhealthGroups(), [
        { name: 'a', settings: { minShare: 0.6 }, updatedAt: 2 },
        { name: 'b', settings: { enabled: false, waits: ['x*'] }, updatedAt: 3 },
      ]);
      assert.equal(await indexer.deleteSubhealthGroup('a'), true);
      assert.equal(await indexer.deleteSubhealthGroup('a'), false);
      assert.deepEqual(
        (await indexer.listSubhealthGroups()).map((group) => group.name),
        ['b'],
      );
    });

    it('answers the timeline as slow instances per check, dry-run rows apart', async () => {
      const { indexer } = harness();
      await indexer.addSubhealthFindings([
        finding('w1', T0),
        finding('w1', T0 + 30 * S),
        finding('w2', T0 + 30 * S),
        finding('w1', T0 + 60 * S),
        finding('w3', T0 + 60 * S, { dryRun: true }),
        finding('w1', T0 + 60 * S, { cluster: 'hosts' }),
      ]);
      // NOTE: a row written twice (a check retried) counts once.
      await indexer.addSubhealthFindings([finding('w1', T0 + 30 * S)]);
      assert.deepEqual(await indexer.subhealthTimeline('workers', T0, T0 + 60 * S), [
        { checkTime: T0, slowInstances: 1 },
        { checkTime: T0 + 30 * S, slowInstances: 2 },
        { checkTime: T0 + 60 * S, slowInstances: 1 },
      ]);
      assert.deepEqual(await indexer.subhealthTimeline('workers', T0 + 1, T0 + 59 * S), [
        { checkTime: T0 + 30 * S, slowInstances: 2 },
      ]);
      assert.deepEqual(await indexer.subhealthTimeline('workers', T0, T0 + 60 * S, true), [
        { checkTime: T0 + 60 * S, slowInstances: 1 },
      ]);
    });

    it('answers a check with how often each of its instances was flagged in the 24 h up to it', async () => {
      const { indexer } = harness();
      const at = T0 + TRIGGER_WINDOW_US;
      await indexer.addSubhealthFindings([
        // NOTE: just outside the window, then at its first and last instants.
        finding('w1', T0 - 1),
        finding('w1', T0),
        finding('w1', at - 30 * S),
        finding('w1', at),
        finding('w2', at),
        // NOTE: after the check: not counted.
        finding('w2', at + 30 * S),
        finding('w2', at - 30 * S, { cluster: 'hosts' }),
      ]);
      const found = await indexer.subhealthFindings('workers', at);
      assert.deepEqual(
        found.map((row) => [row.instanceName, row.triggerTimes]),
        [
          ['w1', 3],
          ['w2', 1],
        ],
      );
      assert.deepEqual(found[0], { ...finding('w1', at), triggerTimes: 3 });
      assert.deepEqual(await indexer.subhealthFindings('workers', at + 1), []);
      assert.equal(await indexer.expireSubhealthFindings(T0 + 1), 2);
      assert.equal((await indexer.subhealthFindings('workers', at))[0]?.triggerTimes, 2);
    });
  });
}
