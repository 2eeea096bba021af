import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { resourceFilter, resourceName } from '../../src/console/resource-names.ts';

describe('resourceFilter', () => {
  it('passes an expression in the API syntax through', () => {
    assert.equal(resourceFilter(" host = 'web-1' "), "host = 'web-1'");
    assert.equal(resourceFilter("name like 'web%'"), "name like 'web%'");
  });

  it('searches original ids for plain words, quotes escaped', () => {
    assert.equal(resourceFilter('web'), "original_resource_id like '%web%'");
    assert.equal(resourceFilter("o'neil"), "original_resource_id like '%o\\'neil%'");
  });

  it('has no filter for nothing', () => {
    assert.equal(resourceFilter('  '), undefined);
  });
});

describe('resourceName', () => {
  const base = { id: '5a3c', type: 'generic', metrics: {} };

  it('prefers a name attribute, then the original id, then the id', () => {
    assert.equal(resourceName({ ...base, name: 'web-1', original_resource_id: 'x' }), 'web-1');
    assert.equal(resourceName({ ...base, original_resource_id: 'vm-7' }), 'vm-7');
    assert.equal(resourceName({ ...base, original_resource_id: null }), '5a3c');
  });
});
