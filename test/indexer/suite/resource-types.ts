/** Conformance: resource types, their attributes, changes and deletion. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ResourceTypeAlreadyExistsError,
  ResourceTypeInUseError,
  ResourceTypeNotFoundError,
} from '../../../src/indexer/index.ts';
import {
  applyResourceTypePatch,
  GENERIC_RESOURCE_TYPE,
  parseResourceTypeInput,
} from '../../../src/resource/index.ts';
import { newResource, useIndexer, type MakeIndexer } from './harness.ts';

/** Runs the resource type part of the suite. */
export function describeResourceTypes(makeIndexer: MakeIndexer): void {
  describe('resource types', () => {
    const harness = useIndexer(makeIndexer);
    const instance = parseResourceTypeInput({
      name: 'instance',
      attributes: {
        host: { type: 'string', max_length: 64 },
        flavor: { type: 'number', required: false, min: 0 },
      },
    });

    it('has generic from the start, and lists types by name', async () => {
      const { indexer } = harness();
      assert.deepEqual(await indexer.listResourceTypes(), [GENERIC_RESOURCE_TYPE]);
      await indexer.createResourceType(instance);
      await indexer.createResourceType(parseResourceTypeInput({ name: 'disk' }));
      assert.deepEqual(
        (await indexer.listResourceTypes()).map((type) => type.name),
        ['disk', 'generic', 'instance'],
      );
      assert.deepEqual(await indexer.getResourceType('instance'), instance);
      assert.equal(await indexer.getResourceType('nope'), undefined);
    });

    it('refuses a duplicate name', async () => {
      const { indexer } = harness();
      await indexer.createResourceType(instance);
      await assert.rejects(indexer.createResourceType(instance), ResourceTypeAlreadyExistsError);
    });

    it('refuses to delete generic, a type in use, or an unknown one', async () => {
      const { indexer } = harness();
      await indexer.createResourceType(instance);
      await assert.rejects(indexer.deleteResourceType('generic'), ResourceTypeInUseError);
      await assert.rejects(indexer.deleteResourceType('nope'), ResourceTypeNotFoundError);
      const resource = await indexer.createResource(
        newResource({ type: 'instance', attributes: { host: 'a', flavor: null } }),
      );
      await assert.rejects(indexer.deleteResourceType('instance'), ResourceTypeInUseError);
      await indexer.deleteResource('generic', resource.id);
      await indexer.deleteResourceType('instance');
      assert.equal(await indexer.getResourceType('instance'), undefined);
    });

    it('adds a required attribute with its fill, and removes one from every resource', async () => {
      const { indexer } = harness();
      await indexer.createResourceType(instance);
      const resource = await indexer.createResource(
        newResource({ type: 'instance', attributes: { host: 'a', flavor: 2 } }),
      );
      const changed = await indexer.updateResourceType('instance', (current) =>
        applyResourceTypePatch(current, [
          {
            op: 'add',
            path: '/attributes/zone',
            value: { type: 'string', required: true, options: { fill: 'eu' } },
          },
          { op: 'remove', path: '/attributes/flavor' },
        ]),
      );
      assert.deepEqual(Object.keys(changed.attributes).sort(), ['host', 'zone']);
      assert.deepEqual(await indexer.getResourceType('instance'), changed);
      const after = await indexer.getResource('instance', resource.id);
      assert.deepEqual(after?.attributes, { host: 'a', zone: 'eu' });
      // NOTE: the new attribute is searchable at once, through its index.
      const found = await indexer.searchResources({
        type: 'instance',
        filter: { kind: 'compare', op: '=', field: 'zone', value: 'eu' },
        limit: 10,
        now: 0,
      });
      assert.deepEqual(
        found.map((row) => row.id),
        [resource.id],
      );
      await assert.rejects(
        indexer.updateResourceType('nope', (current) => applyResourceTypePatch(current, [])),
        ResourceTypeNotFoundError,
      );
    });
  });
}
