/** Conformance: resources, their revisions, attached metrics, searches and batch deletes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseJsonFilter, type ResourceFilter } from '../../../src/grammar/index.ts';
import {
  InvalidPaginationError,
  InvalidResourceFieldError,
  MetricNotFoundError,
  NamedMetricAlreadyExistsError,
  ResourceAlreadyExistsError,
  ResourceNotFoundError,
  ResourceTypeNotFoundError,
  type Indexer,
  type ResourceQuery,
} from '../../../src/indexer/index.ts';
import { parseResourceTypeInput, type Resource } from '../../../src/resource/index.ts';
import { newResource, nextId, testPolicy, useIndexer, type MakeIndexer } from './harness.ts';

const INSTANCE = parseResourceTypeInput({
  name: 'instance',
  attributes: {
    host: { type: 'string' },
    flavor: { type: 'number', required: false },
    image: { type: 'uuid', required: false },
    booted: { type: 'datetime', required: false },
    active: { type: 'bool', required: false },
  },
});

async function setUp(indexer: Indexer): Promise<void> {
  await indexer.createArchivePolicy(testPolicy('low'));
  await indexer.createResourceType(INSTANCE);
}

function instance(attributes: Record<string, string | number | boolean | null>, fields = {}) {
  return newResource({
    type: 'instance',
    attributes: { flavor: null, image: null, booted: null, active: null, ...attributes },
    ...fields,
  });
}

async function ids(
  indexer: Indexer,
  query: Omit<Partial<ResourceQuery>, 'filter'> & { filter?: unknown },
) {
  const filter: ResourceFilter =
    query.filter === undefined ? { kind: 'all' } : parseJsonFilter(query.filter);
  const found = await indexer.searchResources({
    type: 'instance',
    limit: 100,
    now: 0,
    ...query,
    filter,
  });
  return found.map((resource) => resource.id);
}

/** Runs the resource part of the suite. */
export function describeResources(makeIndexer: MakeIndexer): void {
  describe('resources', () => {
    const harness = useIndexer(makeIndexer);

    it('creates and gets a resource, by its type or as generic', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const created = await indexer.createResource(instance({ host: 'a', flavor: 2.5 }));
      assert.equal(created.revision, -1);
      assert.equal(created.revisionEnd, null);
      assert.deepEqual(created.attributes, {
        host: 'a',
        flavor: 2.5,
        image: null,
        booted: null,
        active: null,
      });
      assert.deepEqual(await indexer.getResource('instance', created.id), created);
      assert.deepEqual(await indexer.getResource('generic', created.id), created);
      assert.equal(await indexer.getResource('other', created.id), undefined);
    });

    it('refuses a duplicate id and an unknown type', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const created = await indexer.createResource(newResource());
      await assert.rejects(
        indexer.createResource(newResource({ id: created.id })),
        ResourceAlreadyExistsError,
      );
      await assert.rejects(
        indexer.createResource(newResource({ type: 'nope' })),
        ResourceTypeNotFoundError,
      );
    });

    it("attaches new metrics and the creator's existing ones, by name", async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const mine = nextId();
      const theirs = nextId();
      await indexer.createMetric({ id: mine, archivePolicyName: 'low', creator: 'u:p' });
      await indexer.createMetric({ id: theirs, archivePolicyName: 'low', creator: 'x' });
      const fresh = nextId();
      const created = await indexer.createResource(
        newResource({
          metrics: {
            cpu: { kind: 'new', id: fresh, archivePolicyName: 'low', unit: 'ns' },
            mem: { kind: 'existing', id: mine },
          },
        }),
      );
      assert.deepEqual(created.metrics, { cpu: fresh, mem: mine });
      assert.equal((await indexer.getMetric(mine))?.name, 'mem');
      assert.equal((await indexer.getMetric(fresh))?.resourceId, created.id);
      await assert.rejects(
        indexer.createResource(newResource({ metrics: { x: { kind: 'existing', id: theirs } } })),
        MetricNotFoundError,
      );
      await assert.rejects(
        indexer.attachMetrics('generic', created.id, {
          cpu: { kind: 'new', id: nextId(), archivePolicyName: 'low', unit: null },
        }),
        NamedMetricAlreadyExistsError,
      );
      const more = await indexer.attachMetrics('generic', created.id, {
        disk: { kind: 'new', id: nextId(), archivePolicyName: 'low', unit: null },
      });
      assert.deepEqual(Object.keys(more.metrics).sort(), ['cpu', 'disk', 'mem']);
    });

    it('keeps a revision per change that alters a value, and none otherwise', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const created = await indexer.createResource(instance({ host: 'a' }));
      const same = await indexer.updateResource('instance', created.id, () => ({
        attributes: { host: 'a' },
      }));
      assert.equal(same.revisionStart, created.revisionStart);
      const changed = await indexer.updateResource('instance', created.id, () => ({
        attributes: { host: 'b' },
        userId: 'alice',
      }));
      assert.ok(changed.revisionStart > created.revisionStart);
      assert.equal(changed.userId, 'alice');
      const history = await indexer.searchResources({
        type: 'instance',
        filter: { kind: 'compare', op: '=', field: 'id', value: created.id },
        history: true,
        limit: 10,
        now: 0,
        sort: [{ key: 'revision_start', direction: 'asc' }],
      });
      assert.deepEqual(
        history.map((row) => [row.attributes.host, row.revisionEnd, row.revision]),
        [
          ['a', changed.revisionStart, 1],
          ['b', null, -1],
        ],
      );
      await assert.rejects(
        indexer.updateResource('instance', nextId(), () => ({})),
        ResourceNotFoundError,
      );
    });

    it('replaces the metrics on request without a revision', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const old = nextId();
      const created = await indexer.createResource(
        newResource({
          metrics: { a: { kind: 'new', id: old, archivePolicyName: 'low', unit: null } },
        }),
      );
      const fresh = nextId();
      const updated = await indexer.updateResource('generic', created.id, () => ({
        metrics: { b: { kind: 'new', id: fresh, archivePolicyName: 'low', unit: null } },
      }));
      assert.deepEqual(updated.metrics, { b: fresh });
      assert.equal(updated.revisionStart, created.revisionStart);
      assert.equal((await indexer.getMetric(old))?.resourceId, null);
    });

    it('deletes a resource with its history, marking its metrics for deletion', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const metric = nextId();
      const created = await indexer.createResource(
        instance(
          { host: 'a' },
          {
            metrics: { m: { kind: 'new', id: metric, archivePolicyName: 'low', unit: null } },
          },
        ),
      );
      await indexer.updateResource('instance', created.id, () => ({ attributes: { host: 'b' } }));
      await indexer.deleteResource('instance', created.id);
      assert.equal(await indexer.getResource('generic', created.id), undefined);
      assert.deepEqual(await ids(indexer, { history: true }), []);
      assert.equal((await indexer.getMetric(metric, { includeDeleted: true }))?.status, 'delete');
      await assert.rejects(indexer.deleteResource('instance', created.id), ResourceNotFoundError);
    });

    it('searches every operator on attributes and generic columns, in SQL', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const image = '7bd1a2c4-0e5f-4bd5-8f4e-1f8a0ad1c1b2';
      const a = (
        await indexer.createResource(
          instance(
            { host: 'compute-1', flavor: 1, image, booted: 5_000_000, active: true },
            { userId: 'alice', creator: 'alice:p1' },
          ),
        )
      ).id;
      const b = (
        await indexer.createResource(
          instance(
            { host: 'compute-2', flavor: 4, active: false },
            { userId: 'bob', creator: 'bob' },
          ),
        )
      ).id;
      const c = (
        await indexer.createResource(instance({ host: 'storage-1' }, { endedAt: 9_000_000 }))
      ).id;
      const g = (await indexer.createResource(newResource())).id;
      const cases: [unknown, string[]][] = [
        [{}, [a, b, c]],
        [{ '=': { host: 'compute-2' } }, [b]],
        [{ '!=': { host: 'compute-2' } }, [a, c]],
        [{ ne: { flavor: 4 } }, [a, c]],
        [{ '>=': { flavor: 1 } }, [a, b]],
        [{ lt: { flavor: 4 } }, [a]],
        [{ '=': { flavor: null } }, [c]],
        [{ in: { host: ['compute-1', 'storage-1', 'x'] } }, [a, c]],
        [{ in: { flavor: [4, null] } }, [b, c]],
        [{ like: { host: 'compute-%' } }, [a, b]],
        [{ like: { host: 'COMPUTE-%' } }, []],
        [{ not: { like: { host: 'compute-%' } } }, [c]],
        [{ not: { '=': { flavor: 1 } } }, [b, c]],
        [{ and: [{ like: { host: 'compute-%' } }, { '>': { flavor: 2 } }] }, [b]],
        [{ or: [{ '=': { user_id: 'alice' } }, { '=': { host: 'storage-1' } }] }, [a, c]],
        [{ '=': { image: image.toUpperCase() } }, [a]],
        [{ '=': { active: true } }, [a]],
        [{ '=': { active: false } }, [b]],
        [{ '>': { booted: '1970-01-01T00:00:04' } }, [a]],
        [{ '=': { created_by_user_id: 'bob' } }, [b]],
        [{ '=': { created_by_user_id: 'alice' } }, [a]],
        [{ '=': { created_by_project_id: 'p1' } }, [a]],
        [{ '!=': { created_by_project_id: 'p1' } }, [b, c]],
        [{ '=': { ended_at: null } }, [a, b]],
        [{ '<': { lifespan: '10 s' } }, [c]],
        [{ '=': { id: b } }, [b]],
      ];
      for (const [filter, expected] of cases) {
        assert.deepEqual(
          (await ids(indexer, { filter, sort: [{ key: 'id', direction: 'asc' }] })).sort(),
          [...expected].sort(),
          JSON.stringify(filter),
        );
      }
      assert.deepEqual(
        (
          await indexer.searchResources({
            type: 'generic',
            filter: { kind: 'all' },
            limit: 10,
            now: 0,
          })
        )
          .map((row) => row.id)
          .sort(),
        [a, b, c, g].sort(),
      );
      await assert.rejects(ids(indexer, { filter: { '=': { nope: 1 } } }), {
        name: 'InvalidResourceFieldError',
        message: 'Resource type instance has no nope attribute',
      });
      await assert.rejects(
        ids(indexer, { filter: { '=': { started_at: 'yesterday-ish' } } }),
        InvalidResourceFieldError,
      );
      await assert.rejects(
        indexer.searchResources({
          type: 'generic',
          filter: parseJsonFilter({ '=': { host: 'a' } }),
          limit: 1,
          now: 0,
        }),
        InvalidResourceFieldError,
      );
    });

    it('pages through a sorted search with markers, history included', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      const created: Resource[] = [];
      for (const host of ['d', 'b', null, 'a', 'c']) {
        created.push(
          await indexer.createResource(
            instance({ host: host ?? 'z', flavor: host === null ? null : host.charCodeAt(0) }),
          ),
        );
      }
      for (const direction of ['asc', 'desc', 'asc-nullsfirst', 'desc-nullslast'] as const) {
        const all = await ids(indexer, { sort: [{ key: 'flavor', direction }] });
        const paged: string[] = [];
        let marker: string | undefined;
        for (;;) {
          const page = await ids(indexer, {
            sort: [{ key: 'flavor', direction }],
            limit: 2,
            ...(marker === undefined ? {} : { marker }),
          });
          paged.push(...page);
          if (page.length < 2) break;
          marker = page.at(-1);
        }
        assert.deepEqual(paged, all, direction);
        assert.equal(all.length, 5);
      }
      await indexer.updateResource('instance', created[0]!.id, () => ({
        attributes: { host: 'e' },
      }));
      const withHistory = await indexer.searchResources({
        type: 'instance',
        filter: { kind: 'all' },
        history: true,
        limit: 3,
        now: 0,
      });
      const next = await indexer.searchResources({
        type: 'instance',
        filter: { kind: 'all' },
        history: true,
        limit: 10,
        now: 0,
        marker: `${withHistory.at(-1)!.id}@${withHistory.at(-1)!.revision}`,
      });
      assert.equal(withHistory.length + next.length, 6);
      await assert.rejects(ids(indexer, { marker: nextId() }), InvalidPaginationError);
      await assert.rejects(
        ids(indexer, { sort: [{ key: 'nope', direction: 'asc' }] }),
        InvalidPaginationError,
      );
    });

    it('deletes the resources a filter matches and counts them', async () => {
      const { indexer } = harness();
      await setUp(indexer);
      await indexer.createResource(instance({ host: 'a' }));
      await indexer.createResource(instance({ host: 'b' }));
      const kept = await indexer.createResource(instance({ host: 'c' }));
      const deleted = await indexer.deleteResources(
        'instance',
        parseJsonFilter({ in: { host: ['a', 'b', 'x'] } }),
        0,
      );
      assert.equal(deleted, 2);
      assert.deepEqual(await ids(indexer, {}), [kept.id]);
    });
  });
}
