/** Conformance: metric listings, their filters, sorts and keyset pagination. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { compareCodePoints } from '../../../src/archive-policy/index.ts';
import {
  InvalidPaginationError,
  METRIC_SORT_KEYS,
  SORT_DIRECTIONS,
  type Indexer,
  type Metric,
  type MetricFilter,
  type MetricSort,
  type MetricSortKey,
  type SortDirection,
} from '../../../src/indexer/index.ts';
import { newResource, nextId, testPolicy, useIndexer, type MakeIndexer } from './harness.ts';

const RESOURCE_A = '5a301761-f78b-46e2-8900-8b4f6fe6675a';
const RESOURCE_B = '0b37a6ea-4ec5-4d0b-9e33-77c8f8a6e0a1';

/** The Metric field behind each sort key. */
const FIELDS: Readonly<Record<MetricSortKey, keyof Metric>> = {
  id: 'id',
  name: 'name',
  unit: 'unit',
  creator: 'creator',
  archive_policy_name: 'archivePolicyName',
  resource_id: 'resourceId',
  status: 'status',
};

/** Runs the listing part of the suite. */
export function describeListMetrics(makeIndexer: MakeIndexer): void {
  describe('listMetrics', () => {
    const harness = useIndexer(makeIndexer);

    async function seed(indexer: Indexer): Promise<Metric[]> {
      await indexer.createArchivePolicy(testPolicy('low'));
      await indexer.createArchivePolicy(testPolicy('high'));
      const metrics = [
        {
          name: 'cpu',
          unit: 'ns',
          creator: 'u1',
          archivePolicyName: 'low',
          resourceId: RESOURCE_A,
        },
        {
          name: 'mem',
          unit: 'B',
          creator: 'u1:p',
          archivePolicyName: 'high',
          resourceId: RESOURCE_A,
        },
        {
          name: 'cpu',
          unit: null,
          creator: 'u2',
          archivePolicyName: 'high',
          resourceId: RESOURCE_B,
        },
        { name: null, unit: 'ns', creator: 'u2', archivePolicyName: 'low', resourceId: null },
      ];
      const created = [];
      for (const metric of metrics)
        created.push(await indexer.createMetric({ id: nextId(), ...metric }));
      return created;
    }

    const FILTERS: readonly { filter: MetricFilter; expect: readonly number[] }[] = [
      { filter: {}, expect: [0, 1, 2, 3] },
      { filter: { name: 'cpu' }, expect: [0, 2] },
      { filter: { unit: 'ns' }, expect: [0, 3] },
      { filter: { creator: 'u1' }, expect: [0] },
      { filter: { archivePolicyName: 'high' }, expect: [1, 2] },
      { filter: { resourceId: RESOURCE_A }, expect: [0, 1] },
      { filter: { name: 'cpu', resourceId: RESOURCE_B }, expect: [2] },
      { filter: { name: 'nope' }, expect: [] },
      { filter: { status: 'active' }, expect: [0, 1, 2, 3] },
      { filter: { status: 'delete' }, expect: [] },
    ];
    for (const { filter, expect } of FILTERS) {
      it(`filters by exact match: ${JSON.stringify(filter)}`, async () => {
        const { indexer } = harness();
        const metrics = await seed(indexer);
        const listed = await indexer.listMetrics({ limit: 100, filter });
        assert.deepEqual(
          listed,
          expect.map((index) => metrics[index]),
        );
      });
    }

    it('also filters by id, and stops at the limit', async () => {
      const { indexer } = harness();
      const metrics = await seed(indexer);
      assert.deepEqual(await indexer.listMetrics({ limit: 10, filter: { id: metrics[2]!.id } }), [
        metrics[2],
      ]);
      assert.deepEqual(await indexer.listMetrics({ limit: 2 }), metrics.slice(0, 2));
      await assert.rejects(indexer.listMetrics({ limit: 0 }), RangeError);
    });

    it('shows a caller what it created and what its project owns', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      const owned = newResource({ projectId: 'p2', creator: 'other' });
      await indexer.createResource(owned);
      const create = (creator: string, resourceId: string | null = null) =>
        indexer.createMetric({
          id: nextId(),
          name: null,
          unit: null,
          creator,
          archivePolicyName: 'low',
          resourceId,
        });
      const mine = await create('alice:p1');
      const ofProject = await create('other', owned.id);
      await create('other');
      const ids = async (visibleTo: { creator: string; projectId?: string }) =>
        (await indexer.listMetrics({ limit: 10, visibleTo })).map((metric) => metric.id).sort();
      assert.deepEqual(await ids({ creator: 'alice:p1' }), [mine.id]);
      assert.deepEqual(
        await ids({ creator: 'alice:p1', projectId: 'p2' }),
        [mine.id, ofProject.id].sort(),
      );
    });

    it('refuses an unknown sort key or direction', async () => {
      const { indexer } = harness();
      const sort = [{ key: 'bogus', direction: 'asc' }] as unknown as MetricSort[];
      await assert.rejects(indexer.listMetrics({ limit: 1, sort }), {
        name: InvalidPaginationError.name,
        code: 'INVALID_PAGINATION',
        reason: 'sort-key',
        value: 'bogus',
        message: "Invalid pagination: `Sort key supplied is invalid: bogus'",
      });
      const direction = [{ key: 'name', direction: 'up' }] as unknown as MetricSort[];
      await assert.rejects(indexer.listMetrics({ limit: 1, sort: direction }), {
        reason: 'sort-direction',
        message:
          'Invalid pagination: `Unknown sort direction, must be one of: asc-nullsfirst, ' +
          "asc-nullslast, desc-nullsfirst, desc-nullslast'",
      });
    });

    it('refuses a marker that is not a metric of the listed status', async () => {
      const { indexer } = harness();
      const metrics = await seed(indexer);
      await assert.rejects(indexer.listMetrics({ limit: 1, marker: 'nope' }), {
        code: 'INVALID_PAGINATION',
        reason: 'marker',
        value: 'nope',
        message: "Invalid pagination: `Invalid marker: `nope''",
      });
      await indexer.deleteMetric(metrics[0]!.id);
      await assert.rejects(
        indexer.listMetrics({ limit: 1, marker: metrics[0]!.id }),
        new InvalidPaginationError('marker', metrics[0]!.id),
      );
      const deleted = { ...metrics[0]!, resourceId: null, status: 'delete' };
      const listed = await indexer.listMetrics({ limit: 5, filter: { status: 'delete' } });
      assert.deepEqual(listed, [deleted]);
    });

    it('sorts with PostgreSQL NULL placement for plain asc and desc', async () => {
      const { indexer } = harness();
      const [cpu, mem, , anonymous] = await seed(indexer);
      const byName = async (direction: SortDirection) =>
        (await indexer.listMetrics({ limit: 10, sort: [{ key: 'name', direction }] })).map(
          (metric) => metric.id,
        );
      const cpus = (await indexer.listMetrics({ limit: 10, filter: { name: 'cpu' } })).map(
        (metric) => metric.id,
      );
      assert.deepEqual(await byName('asc'), [...cpus, mem!.id, anonymous!.id]);
      assert.deepEqual(await byName('desc'), [anonymous!.id, mem!.id, ...cpus]);
      assert.deepEqual(await byName('asc-nullsfirst'), [anonymous!.id, ...cpus, mem!.id]);
      assert.deepEqual(await byName('desc-nullslast'), [mem!.id, ...cpus, anonymous!.id]);
      assert.equal(cpus[0], cpu!.id);
    });

    it('pages through any order exactly once, whatever the sort and page size', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      await indexer.createArchivePolicy(testPolicy('high'));
      await fc.assert(
        fc.asyncProperty(METRICS, SORTS, fc.integer({ min: 1, max: 7 }), LISTED, (...args) =>
          checkPagination(indexer, ...args),
        ),
        { numRuns: 40 },
      );
    });
  });
}

/** A metric to create, and whether to delete it afterwards. */
interface GeneratedMetric {
  readonly id: string;
  readonly name: string | null;
  readonly unit: string | null;
  readonly creator: string;
  readonly archivePolicyName: string;
  readonly resourceId: string | null;
  readonly deleted: boolean;
}

/** Strings meant to trip collations and NULL handling. */
const TEXT = fc.constantFrom(null, '', 'a', 'b', 'B', 'é', 'ｚ', '𝔸', 'a b');
const METRICS: fc.Arbitrary<GeneratedMetric[]> = fc
  .uniqueArray(
    fc.record({
      id: fc.uuid(),
      name: TEXT,
      unit: TEXT,
      creator: fc.constantFrom('u1', 'U1', 'u1:p', 'u2'),
      archivePolicyName: fc.constantFrom('low', 'high'),
      resourceId: fc.constantFrom(null, RESOURCE_A, RESOURCE_B),
      deleted: fc.boolean(),
    }),
    { maxLength: 24, selector: (metric) => metric.id },
  )
  .map((metrics) => {
    // NOTE: a name is unique per resource, as the schema insists.
    const seen = new Set<string>();
    return metrics.filter(({ name, resourceId }) => {
      if (name === null || resourceId === null) return true;
      const key = `${resourceId}/${name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
const SORTS = fc.array(
  fc.record({
    key: fc.constantFrom(...METRIC_SORT_KEYS),
    direction: fc.constantFrom(...SORT_DIRECTIONS),
  }),
  { maxLength: 4 },
);
const LISTED = fc.constantFrom<MetricFilter>(
  {},
  { creator: 'u1' },
  { archivePolicyName: 'high' },
  { resourceId: RESOURCE_A },
  { name: 'a' },
  { status: 'delete' },
  { status: 'delete', unit: '' },
);

async function checkPagination(
  indexer: Indexer,
  generated: readonly GeneratedMetric[],
  sort: readonly MetricSort[],
  pageSize: number,
  filter: MetricFilter,
): Promise<void> {
  const stored: Metric[] = [];
  try {
    for (const { deleted, ...fields } of generated) {
      const metric = await indexer.createMetric(fields);
      if (deleted) await indexer.deleteMetric(metric.id);
      stored.push(deleted ? { ...metric, resourceId: null, status: 'delete' } : metric);
    }
    const expected = stored.filter((metric) => matches(metric, filter)).sort(compareBy(sort));
    assert.deepEqual(await indexer.listMetrics({ limit: 1000, sort, filter }), expected);
    const paged: Metric[] = [];
    for (let page = 0; page <= expected.length; page += 1) {
      const marker = paged.at(-1)?.id;
      const options = {
        limit: pageSize,
        sort,
        filter,
        ...(marker === undefined ? {} : { marker }),
      };
      const rows = await indexer.listMetrics(options);
      paged.push(...rows);
      if (rows.length < pageSize) break;
    }
    assert.deepEqual(paged, expected);
  } finally {
    for (const metric of stored) {
      if (metric.status === 'active') await indexer.deleteMetric(metric.id);
      await indexer.expungeMetric(metric.id);
    }
  }
}

function matches(metric: Metric, filter: MetricFilter): boolean {
  const { status = 'active', ...fields } = filter;
  return (
    metric.status === status &&
    Object.entries(fields).every(([field, value]) => metric[field as keyof Metric] === value)
  );
}

/** The order a listing must have, written independently of the indexer's. */
function compareBy(sort: readonly MetricSort[]): (a: Metric, b: Metric) => number {
  const keys = [...sort, { key: 'id', direction: 'asc' } as const];
  return (a, b) => {
    for (const { key, direction } of keys) {
      const [x, y] = [a[FIELDS[key]], b[FIELDS[key]]];
      if (x === y) continue;
      const descending = direction.startsWith('desc');
      const nullsFirst = direction.endsWith('nullsfirst') || direction === 'desc';
      if (x === null) return nullsFirst ? -1 : 1;
      if (y === null) return nullsFirst ? 1 : -1;
      const compared = compareCodePoints(x, y);
      return descending ? -compared : compared;
    }
    return 0;
  };
}
