import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  decodeSegment,
  encodeRecords,
  encodeSegmentHeader,
} from '../../src/ingest/file/journal-segment-codec.ts';

const RECORDS = [
  { path: 'incoming8-1/00000000-0000-0000-0000-00000000000a/a_1', data: Uint8Array.of(1, 2, 3) },
  { path: 'incoming8-2/00000000-0000-0000-0000-00000000000b/b_2', data: new Uint8Array(0) },
  { path: 'incoming8-3/00000000-0000-0000-0000-00000000000c/c_3', data: new Uint8Array(70_000) },
];

function segment(...groups: Buffer[]): Buffer {
  return Buffer.concat([encodeSegmentHeader('boot-1'), ...groups]);
}

function plain(records: readonly { path: string; data: Uint8Array }[]) {
  return records.map(({ path, data }) => ({ path, data: [...data] }));
}

describe('journal segment codec', () => {
  it('reads back the boot id and every record of every group, in order', () => {
    const bytes = segment(encodeRecords(RECORDS.slice(0, 2)), encodeRecords(RECORDS.slice(2)));
    const decoded = decodeSegment(bytes);
    assert.equal(decoded?.bootId, 'boot-1');
    assert.deepEqual(plain(decoded.records), plain(RECORDS));
  });

  it('stops at a record cut short, keeping those before it', () => {
    const bytes = segment(encodeRecords(RECORDS));
    for (const cut of [1, 8, 100, 69_999]) {
      const decoded = decodeSegment(bytes.subarray(0, bytes.length - cut));
      assert.deepEqual(plain(decoded?.records ?? []), plain(RECORDS.slice(0, 2)), `cut ${cut}`);
    }
  });

  it('stops at a record whose checksum fails', () => {
    const first = encodeRecords(RECORDS.slice(0, 1));
    const second = encodeRecords(RECORDS.slice(1, 2));
    second[second.length - 10] = 0xff;
    const decoded = decodeSegment(segment(first, second, encodeRecords(RECORDS.slice(2))));
    assert.deepEqual(plain(decoded?.records ?? []), plain(RECORDS.slice(0, 1)));
  });

  it('refuses a header that is foreign or incomplete', () => {
    assert.equal(decodeSegment(Buffer.from('not a journal')), undefined);
    assert.equal(decodeSegment(encodeSegmentHeader('boot-1').subarray(0, 10)), undefined);
    assert.deepEqual(decodeSegment(encodeSegmentHeader('boot-1'))?.records, []);
  });
});
