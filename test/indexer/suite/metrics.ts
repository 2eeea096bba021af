/** Conformance: creating, getting, deleting and expunging metrics. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ArchivePolicyNotFoundError,
  MetricAlreadyExistsError,
  MetricNotFoundError,
  NamedMetricAlreadyExistsError,
  type NewMetric,
} from '../../../src/indexer/index.ts';
import { expectedMetric, nextId, testPolicy, useIndexer, type MakeIndexer } from './harness.ts';

const RESOURCE = '5a301761-f78b-46e2-8900-8b4f6fe6675a';
const OTHER_RESOURCE = '0b37a6ea-4ec5-4d0b-9e33-77c8f8a6e0a1';

/** Runs the metric part of the suite (listings aside). */
export function describeMetrics(makeIndexer: MakeIndexer): void {
  describe('metrics', () => {
    const harness = useIndexer(makeIndexer);
    const create = async (fields: Partial<NewMetric> = {}) => {
      const { indexer } = harness();
      if ((await indexer.getArchivePolicy('low')) === undefined) {
        await indexer.createArchivePolicy(testPolicy('low'));
      }
      const metric: NewMetric = {
        id: nextId(),
        archivePolicyName: 'low',
        creator: 'u:p',
        ...fields,
      };
      assert.deepEqual(await indexer.createMetric(metric), expectedMetric(metric));
      return expectedMetric(metric);
    };

    it('creates and gets a metric, with and without its optional fields', async () => {
      const { indexer } = harness();
      const bare = await create();
      const full = await create({ name: 'cpu', unit: 'ns', resourceId: RESOURCE });
      assert.deepEqual(await indexer.getMetric(bare.id), bare);
      assert.deepEqual(await indexer.getMetric(full.id), full);
      assert.deepEqual(await indexer.getMetric(full.id, { includeDeleted: true }), full);
      assert.equal(await indexer.getMetric(nextId()), undefined);
    });

    it('refuses a metric whose id exists, even deleted', async () => {
      const { indexer } = harness();
      const metric = await create();
      const again = { id: metric.id, archivePolicyName: 'low', creator: 'other' };
      await assert.rejects(indexer.createMetric(again), {
        name: MetricAlreadyExistsError.name,
        code: 'METRIC_ALREADY_EXISTS',
        metricId: metric.id,
        message: `Metric ${metric.id} already exists`,
      });
      await indexer.deleteMetric(metric.id);
      await assert.rejects(indexer.createMetric(again), MetricAlreadyExistsError);
    });

    it('refuses a metric of an unknown archive policy', async () => {
      const { indexer } = harness();
      const metric = { id: nextId(), archivePolicyName: 'nope', creator: 'u' };
      await assert.rejects(indexer.createMetric(metric), new ArchivePolicyNotFoundError('nope'));
      assert.equal(await indexer.getMetric(metric.id, { includeDeleted: true }), undefined);
    });

    it('allows a name once per resource', async () => {
      const { indexer } = harness();
      await create({ name: 'cpu', resourceId: RESOURCE });
      const clash = { id: nextId(), archivePolicyName: 'low', creator: 'u', name: 'cpu' };
      await assert.rejects(indexer.createMetric({ ...clash, resourceId: RESOURCE }), {
        name: NamedMetricAlreadyExistsError.name,
        code: 'NAMED_METRIC_ALREADY_EXISTS',
        metricName: 'cpu',
        resourceId: RESOURCE,
        message: 'Named metric cpu already exists',
      });
      await create({ name: 'cpu', resourceId: OTHER_RESOURCE });
      await create({ name: 'CPU', resourceId: RESOURCE });
      await create({ name: 'cpu' });
      await create({ name: 'cpu' });
      await create({ resourceId: RESOURCE });
      await create({ resourceId: RESOURCE });
    });

    it('frees the name of a deleted metric on its resource', async () => {
      const { indexer } = harness();
      const first = await create({ name: 'cpu', resourceId: RESOURCE });
      await indexer.deleteMetric(first.id);
      const second = await create({ name: 'cpu', resourceId: RESOURCE });
      assert.deepEqual(await indexer.getMetric(second.id), second);
    });

    it('marks a deleted metric, detached from its resource, and hides it', async () => {
      const { indexer } = harness();
      const metric = await create({ name: 'cpu', resourceId: RESOURCE });
      await indexer.deleteMetric(metric.id);
      assert.equal(await indexer.getMetric(metric.id), undefined);
      const deleted = { ...metric, resourceId: null, status: 'delete' };
      assert.deepEqual(await indexer.getMetric(metric.id, { includeDeleted: true }), deleted);
      assert.deepEqual(await indexer.getMetrics([metric.id]), []);
      assert.deepEqual(await indexer.listMetrics({ limit: 10 }), []);
      assert.deepEqual(await indexer.listMetrics({ limit: 10, filter: { status: 'delete' } }), [
        deleted,
      ]);
    });

    it('refuses to delete a metric twice, or an unknown one', async () => {
      const { indexer } = harness();
      const metric = await create();
      await indexer.deleteMetric(metric.id);
      await assert.rejects(indexer.deleteMetric(metric.id), {
        name: MetricNotFoundError.name,
        code: 'METRIC_NOT_FOUND',
        metricId: metric.id,
        message: `Metric ${metric.id} does not exist`,
      });
      const unknown = nextId();
      await assert.rejects(indexer.deleteMetric(unknown), new MetricNotFoundError(unknown));
    });

    it('gets active metrics by id, in the order asked, each once', async () => {
      const { indexer } = harness();
      const [a, b, c] = [await create(), await create(), await create()];
      await indexer.deleteMetric(b.id);
      const asked = [c.id, nextId(), a.id, b.id, c.id];
      assert.deepEqual(await indexer.getMetrics(asked), [c, a]);
      assert.deepEqual(await indexer.getMetrics([]), []);
    });

    it('gets metrics by id in batches larger than one query takes', async () => {
      const { indexer } = harness();
      const created = [];
      for (let i = 0; i < 3; i += 1) created.push(await create());
      const unknown = Array.from({ length: 1200 }, nextId);
      const asked = [
        ...unknown.slice(0, 600),
        created[2]!.id,
        ...unknown.slice(600),
        created[0]!.id,
      ];
      assert.deepEqual(await indexer.getMetrics(asked), [created[2], created[0]]);
    });

    it('lists metrics to expunge oldest first, up to a limit', async () => {
      const { indexer } = harness();
      // NOTE: ids descend while creation goes on, so that id order cannot pass for age order.
      const ids = ['00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-00000000000b'];
      ids.push('00000000-0000-4000-8000-00000000000a');
      const metrics = [];
      for (const id of ids) metrics.push(await create({ id }));
      const active = await create();
      for (const id of [ids[1]!, ids[2]!, ids[0]!]) await indexer.deleteMetric(id);
      const deleted = metrics.map((metric) => ({ ...metric, status: 'delete' }));
      assert.deepEqual(await indexer.listMetricsToExpunge(10), deleted);
      assert.deepEqual(await indexer.listMetricsToExpunge(2), deleted.slice(0, 2));
      assert.deepEqual(await indexer.getMetric(active.id), active);
    });

    it('expunges deleted metrics only, idempotently', async () => {
      const { indexer } = harness();
      const [gone, kept] = [await create(), await create()];
      await indexer.deleteMetric(gone.id);
      await indexer.expungeMetric(gone.id);
      await indexer.expungeMetric(gone.id);
      await indexer.expungeMetric(nextId());
      await indexer.expungeMetric(kept.id);
      assert.equal(await indexer.getMetric(gone.id, { includeDeleted: true }), undefined);
      assert.deepEqual(await indexer.listMetricsToExpunge(10), []);
      assert.deepEqual(await indexer.getMetric(kept.id), kept);
    });
  });
}
