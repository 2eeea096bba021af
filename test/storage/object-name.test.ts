import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  assertObjectUpdate,
  bundleObjectName,
  isObjectName,
  parseBundleObjectName,
  RAW_OBJECT_NAME,
} from '../../src/storage/object-name.ts';

describe('object names', () => {
  it('names a bundle by granularity and split key in microseconds, and parses it back', () => {
    const name = bundleObjectName(60_000_000, 1_425_600_000_000_000);
    assert.equal(name, 'agg_60000000_1425600000000000');
    assert.deepEqual(parseBundleObjectName(name), {
      granularity: 60_000_000,
      key: 1_425_600_000_000_000,
    });
    assert.deepEqual(parseBundleObjectName('agg_1000000_0'), { granularity: 1_000_000, key: 0 });
  });

  it('parses nothing else as a bundle', () => {
    for (const name of [
      RAW_OBJECT_NAME,
      'agg_0_0',
      'agg_60_01',
      'agg_60',
      'agg_60_1_v3',
      '.tmp-x',
    ]) {
      assert.equal(parseBundleObjectName(name), undefined, name);
    }
  });

  it('keeps dotted names, paths and empty names out', () => {
    assert.ok(isObjectName(RAW_OBJECT_NAME));
    assert.ok(isObjectName(bundleObjectName(1, 2)));
    for (const name of ['', '.tmp-1', '../raw', 'a/b', 'x'.repeat(201), 'é']) {
      assert.equal(isObjectName(name), false, name);
    }
  });

  it('refuses an update that puts and removes one object', () => {
    const put = new Map([['raw', new Uint8Array(1)]]);
    assert.throws(() => {
      assertObjectUpdate({ put, remove: ['raw'] });
    }, RangeError);
    assert.throws(() => {
      assertObjectUpdate({ put: new Map(), remove: ['../x'] });
    }, RangeError);
    assertObjectUpdate({ put, remove: ['agg_1_0'] });
  });
});
