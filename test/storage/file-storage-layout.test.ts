import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FileStorageLayout, isTemporaryName } from '../../src/storage/file/file-storage-layout.ts';

const ID = 'edd43480-fc99-4884-8de3-a527c1ce72f5';

describe('file storage layout', () => {
  const layout = new FileStorageLayout('/srv/orzo');

  it('keeps one folder per metric in a shard named after its first two hex digits', () => {
    assert.equal(layout.root, '/srv/orzo/storage');
    assert.equal(layout.shardPath(ID), '/srv/orzo/storage/ed');
    assert.equal(layout.metricPath(ID), `/srv/orzo/storage/ed/${ID}`);
    assert.equal(layout.objectPath(ID, 'raw'), `/srv/orzo/storage/ed/${ID}/raw`);
  });

  it('refuses ids and names that are not safe path components', () => {
    for (const id of ['..', 'EDD43480-FC99-4884-8DE3-A527C1CE72F5', `${ID}/..`, '']) {
      assert.throws(() => layout.metricPath(id), RangeError, id);
    }
    assert.throws(() => layout.objectPath(ID, '../raw'), RangeError);
    assert.throws(() => layout.objectPath(ID, '.tmp-1'), RangeError);
  });

  it('tells temporary files apart', () => {
    assert.ok(isTemporaryName('.tmp-0b0c'));
    assert.equal(isTemporaryName('raw'), false);
  });
});
