import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  batchFileName,
  FileIncomingLayout,
  isMetricId,
  isTemporaryName,
  legacyBatchName,
  measuresOfBatchName,
  metricOfBatchName,
} from '../../src/ingest/file/file-incoming-layout.ts';

const ID = 'edd43480-fc99-4884-8de3-a527c1ce72f5';
const BATCH = '0b5e6a4f-6c39-4c4e-9b7a-3f0d3c1f2a11';
const SACK = { number: 17, total: 128 };
const NAME = `${ID}_20150306T143357123_${BATCH}_42`;

describe('file incoming layout', () => {
  const layout = new FileIncomingLayout('/srv/data');

  it('puts everything under DIR/incoming, sacks by Gnocchi name, batches flat in them', () => {
    assert.equal(layout.root, '/srv/data/incoming');
    assert.equal(layout.configPath(), '/srv/data/incoming/config.json');
    assert.equal(layout.sackPath(SACK), '/srv/data/incoming/incoming128-17');
    assert.equal(layout.batchPath(SACK, 'x'), '/srv/data/incoming/incoming128-17/x');
    assert.equal(layout.relativeBatchPath(SACK, NAME), `incoming128-17/${NAME}`);
  });

  it('names a batch by metric, UTC write time (ms), id and measure count', () => {
    const name = batchFileName(ID, new Date('2015-03-06T14:33:57.123Z'), BATCH, 42);
    assert.equal(name, NAME);
    assert.equal(metricOfBatchName(name), ID);
    assert.equal(measuresOfBatchName(name), 42);
    assert.equal(isTemporaryName(name), false);
    assert.throws(() => batchFileName('../escape', new Date(), BATCH, 1), RangeError);
  });

  it('keeps temporary files out of every listing', () => {
    const name = `.tmp-${BATCH}`;
    assert.equal(isTemporaryName(name), true);
    assert.equal(metricOfBatchName(name), undefined);
    assert.equal(measuresOfBatchName(name), undefined);
  });

  it('recognises metric ids, and refuses paths for anything else', () => {
    assert.equal(isMetricId(ID), true);
    assert.equal(isMetricId(ID.toUpperCase()), false);
    assert.equal(isMetricId('.tmp-x'), false);
    assert.equal(isMetricId(NAME), false);
    assert.throws(() => layout.legacyMetricPath(SACK, '../escape'), RangeError);
  });

  it('does not read a metric or a measure count from names it did not make', () => {
    assert.equal(metricOfBatchName('foreign-file'), undefined);
    assert.equal(measuresOfBatchName('foreign-file'), undefined);
    assert.equal(metricOfBatchName(`${ID}_foreign`), undefined);
  });

  it('names the batches of the older per-metric folders flat', () => {
    const old = `20150306T143357123_${BATCH}_42`;
    assert.equal(legacyBatchName(ID, old), NAME);
    assert.equal(legacyBatchName(ID, '.tmp-x'), undefined);
  });

  it('places journal records flat, in the sack of the current count', () => {
    const recorded = `incoming128-17/${NAME}`;
    assert.equal(layout.placeBatch(recorded, undefined), `/srv/data/incoming/${recorded}`);
    const placed = layout.placeBatch(recorded, 1);
    assert.equal(placed, `/srv/data/incoming/incoming1-0/${NAME}`);
    const legacy = `incoming128-17/${ID}/20150306T143357123_${BATCH}_42`;
    assert.equal(layout.placeBatch(legacy, undefined), `/srv/data/incoming/${recorded}`);
    for (const foreign of ['incoming128-17', 'a/b/c/d', `incoming128-17/${ID}/x`, 'x/y']) {
      assert.equal(layout.placeBatch(foreign, 4), undefined, foreign);
    }
  });
});
