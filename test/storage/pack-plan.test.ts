import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IN_FOLDER, type PackEntries } from '../../src/storage/file/object-pack.ts';
import { planPack } from '../../src/storage/file/pack-plan.ts';

const limits = { objectBytes: 10, packBytes: 25 };
const bytes = (length: number) => new Uint8Array(length);
const places = (entries: PackEntries) =>
  Object.fromEntries(
    [...entries].map(([name, data]) => [name, data === IN_FOLDER ? 'folder' : data.length]),
  );

describe('pack plan', () => {
  it('packs the last object put whatever its size, and others while they fit', () => {
    const put = new Map([
      ['a', bytes(10)],
      ['b', bytes(11)],
      ['c', bytes(10)],
      ['d', bytes(10)],
      ['raw', bytes(100)],
    ]);
    const plan = planPack(new Map(), { put, remove: [] }, limits);
    assert.deepEqual(places(plan.entries), { raw: 100, a: 10, b: 'folder', c: 10, d: 'folder' });
    assert.deepEqual([...plan.files.keys()], ['b', 'd']);
    assert.deepEqual([plan.unlinkBefore, plan.unlinkAfter], [[], []]);
  });

  it('gives room to what is put before what stays, and moves what stays out when full', () => {
    const previous = new Map<string, Uint8Array | typeof IN_FOLDER>([
      ['old1', bytes(10)],
      ['old2', bytes(10)],
      ['cold', IN_FOLDER],
      ['raw', bytes(5)],
    ]);
    const plan = planPack(
      previous,
      {
        put: new Map([
          ['new', bytes(10)],
          ['raw', bytes(5)],
        ]),
        remove: [],
      },
      limits,
    );
    assert.deepEqual(places(plan.entries), {
      raw: 5,
      new: 10,
      old1: 10,
      old2: 'folder',
      cold: 'folder',
    });
    assert.deepEqual([...plan.files.keys()], ['old2']);
  });

  it('unlinks removed files before the pack, and files now packed after it', () => {
    const previous = new Map<string, Uint8Array | typeof IN_FOLDER>([
      ['gone', IN_FOLDER],
      ['packedGone', bytes(1)],
      ['back', IN_FOLDER],
      ['raw', IN_FOLDER],
    ]);
    const update = {
      put: new Map([
        ['back', bytes(2)],
        ['raw', bytes(3)],
      ]),
      remove: ['gone', 'packedGone', 'never'],
    };
    const plan = planPack(previous, update, limits);
    assert.deepEqual(places(plan.entries), { raw: 3, back: 2 });
    assert.deepEqual(plan.unlinkBefore, ['gone']);
    assert.deepEqual(plan.unlinkAfter.sort(), ['back', 'raw']);
    assert.equal(plan.files.size, 0);
  });

  it('leaves an empty pack when everything is removed', () => {
    const plan = planPack(
      new Map([['raw', bytes(1)]]),
      { put: new Map(), remove: ['raw'] },
      limits,
    );
    assert.equal(plan.entries.size, 0);
  });
});
