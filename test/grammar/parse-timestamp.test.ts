import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseTimestamp } from '../../src/grammar/parse-timestamp.ts';

const S = 1_000_000;
const NOW = 1_425_652_437 * S;

describe('parseTimestamp', () => {
  it('reads one value in whichever form it has', () => {
    assert.equal(parseTimestamp('1425652437', NOW), NOW);
    assert.equal(parseTimestamp(1_425_652_437.25, NOW), NOW + S / 4);
    assert.equal(parseTimestamp('2015-03-06T14:33:57Z', NOW), NOW);
    assert.equal(parseTimestamp('2015-03-06T15:33:57+0100', NOW), NOW);
    assert.equal(parseTimestamp('-5 minutes', NOW), NOW - 300 * S);
    assert.equal(parseTimestamp('2015', NOW), 2015 * S);
    assert.equal(parseTimestamp(0, NOW), 0);
  });

  it('refuses what cannot be read, what is before the epoch and what is past 2255', () => {
    for (const value of ['', 'soon', '20150306T143357', '-1', '1969-12-31', 'nan', '1e300']) {
      assert.equal(parseTimestamp(value, NOW), undefined, value);
    }
    assert.equal(parseTimestamp('-100000 days', NOW), undefined);
  });
});
