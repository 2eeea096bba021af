import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  batchFileName,
  FileIncomingLayout,
  isBatchName,
  isMetricFolderName,
  isTemporaryName,
  measuresOfBatchName,
  temporaryFileName,
} from '../../src/ingest/file/file-incoming-layout.ts';

const ID = 'edd43480-fc99-4884-8de3-a527c1ce72f5';
const BATCH = '0b5e6a4f-6c39-4c4e-9b7a-3f0d3c1f2a11';
const SACK = { number: 17, total: 128 };

describe('file incoming layout', () => {
  const layout = new FileIncomingLayout('/srv/data');

  it('puts everything under DIR/incoming, sacks by Gnocchi name, metrics by UUID', () => {
    assert.equal(layout.root, '/srv/data/incoming');
    assert.equal(layout.configPath(), '/srv/data/incoming/config.json');
    assert.equal(layout.sackPath(SACK), '/srv/data/incoming/incoming128-17');
    assert.equal(layout.metricPath(SACK, ID), `/srv/data/incoming/incoming128-17/${ID}`);
    assert.equal(layout.batchPath(SACK, ID, 'x'), `/srv/data/incoming/incoming128-17/${ID}/x`);
  });

  it('names a batch by UTC write time (ms), id and measure count', () => {
    const name = batchFileName(new Date('2015-03-06T14:33:57.123Z'), BATCH, 42);
    assert.equal(name, `20150306T143357123_${BATCH}_42`);
    assert.equal(measuresOfBatchName(name), 42);
    assert.equal(isBatchName(name), true);
    assert.equal(isTemporaryName(name), false);
  });

  it('keeps temporary files out of every listing', () => {
    const name = temporaryFileName(BATCH);
    assert.equal(name, `.tmp-${BATCH}`);
    assert.equal(isBatchName(name), false);
    assert.equal(isTemporaryName(name), true);
    assert.equal(measuresOfBatchName(name), undefined);
  });

  it('recognises metric folder names, and refuses paths for anything else', () => {
    assert.equal(isMetricFolderName(ID), true);
    assert.equal(isMetricFolderName(ID.toUpperCase()), false);
    assert.equal(isMetricFolderName('.tmp-x'), false);
    assert.throws(() => layout.metricPath(SACK, '../escape'), RangeError);
  });

  it('does not read a measure count from names it did not make', () => {
    assert.equal(measuresOfBatchName('foreign-file'), undefined);
  });
});
