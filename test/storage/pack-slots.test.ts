import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  RETIRED_PACK_BYTES,
  encodePack,
  encodeRetiredPack,
} from '../../src/storage/file/object-pack.ts';
import {
  currentPack,
  nextSlot,
  readPackSlots,
  readSettledPackSlots,
} from '../../src/storage/file/pack-slots.ts';

const METRIC = '00000000-0000-0000-0000-00000000000a';

describe('pack slots', () => {
  let folder: string;
  let paths: [string, string];
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'orzo-pack-slots-'));
    paths = [join(folder, 'm.pack'), join(folder, 'm.pack-1')];
  });
  after(() => rm(folder, { recursive: true, force: true }));

  const pack = (generation: number, byte: number) =>
    encodePack(new Map([['raw', Uint8Array.of(byte)]]), generation);
  const slots = async (first: Uint8Array | undefined, second: Uint8Array | undefined) => {
    await rm(paths[0], { force: true });
    await rm(paths[1], { force: true });
    if (first !== undefined) await writeFile(paths[0], first);
    if (second !== undefined) await writeFile(paths[1], second);
  };
  const raw = (read: ReturnType<typeof readPackSlots>) => {
    const bytes = currentPack(read)?.entries.get('raw');
    return bytes instanceof Uint8Array ? bytes[0] : bytes;
  };

  it('takes the whole slot of the highest generation, and writes next over the other', async () => {
    await slots(pack(3, 30), pack(4, 40));
    const read = readPackSlots(METRIC, paths);
    assert.deepEqual([raw(read), read.current?.slot, read.unsettled], [40, 1, false]);
    assert.equal(nextSlot(read.current), 0);
    await slots(pack(5, 50), pack(4, 40));
    assert.equal(raw(readPackSlots(METRIC, paths)), 50);
    assert.equal(nextSlot(undefined), 0);
  });

  it('never takes a retired slot, and reads again when it was retired by a newer pack', async () => {
    await slots(encodeRetiredPack(4), pack(4, 40));
    const settled = readPackSlots(METRIC, paths);
    assert.deepEqual([raw(settled), settled.unsettled], [40, false]);
    // NOTE: slot 1 read before two writes went by: slot 0 now says a newer pack retired it.
    await slots(encodeRetiredPack(6), pack(4, 40));
    const stale = readPackSlots(METRIC, paths);
    assert.deepEqual([raw(stale), stale.unsettled], [40, true]);
    await slots(encodeRetiredPack(2), undefined);
    assert.equal(readPackSlots(METRIC, paths).current, undefined);
  });

  it('passes over a slot cut short or mixed, and reads again until the bytes hold still', async () => {
    const whole = pack(5, 50);
    await slots(pack(4, 40), whole.subarray(0, whole.length - 1));
    const torn = readPackSlots(METRIC, paths);
    assert.deepEqual([raw(torn), torn.unsettled], [40, true]);
    const settled = readSettledPackSlots(METRIC, paths);
    assert.deepEqual([raw(settled), settled.unsettled], [40, true]);
  });

  it('settles at once on a damaged pack whose other slot is retired, not on one beside a torn slot', async () => {
    const damaged = pack(5, 50);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0xff;
    let reads = 0;
    const counted: typeof readPackSlots = (...args) => {
      reads++;
      return readPackSlots(...args);
    };
    await slots(damaged, encodeRetiredPack(5));
    const alone = readSettledPackSlots(METRIC, paths, {}, counted);
    assert.deepEqual(
      [alone.current?.slot, alone.current?.intact, alone.sole, reads],
      [0, false, true, 2],
    );
    // NOTE: a slot cut short beside it may be a writer's work in progress: read until the limit.
    const next = pack(6, 60);
    await slots(damaged, next.subarray(0, next.length - 1));
    reads = 0;
    const beside = readSettledPackSlots(METRIC, paths, {}, counted);
    assert.deepEqual([beside.current?.slot, beside.sole, reads], [0, false, 64]);
  });

  it("under the lock, takes a slot of a retired record's length for retired without reading it", async () => {
    // NOTE: retired by a newer pack than the current one: only a reader racing writers sees that.
    await slots(pack(4, 40), encodeRetiredPack(6));
    const racing = readPackSlots(METRIC, paths);
    assert.deepEqual([raw(racing), racing.unsettled], [40, true]);
    const locked = readPackSlots(METRIC, paths, { locked: true });
    assert.deepEqual([raw(locked), locked.unsettled, locked.sole], [40, false, true]);
    assert.notEqual(locked.bytes[1], undefined);
    assert.equal(nextSlot(locked.current), 1);
    // NOTE: a new pack cut short at that length by a crash is no pack either way.
    const next = pack(5, 50);
    await slots(pack(4, 40), next.subarray(0, RETIRED_PACK_BYTES));
    const torn = readPackSlots(METRIC, paths, { locked: true });
    assert.deepEqual([raw(torn), torn.current?.slot, torn.unsettled], [40, 0, false]);
    assert.equal(encodeRetiredPack(2 ** 40).length, RETIRED_PACK_BYTES);
    // NOTE: slot 0 alone may be a pack written before slots, which can be that short: it is read.
    await slots(next.subarray(0, RETIRED_PACK_BYTES), undefined);
    assert.equal(
      readPackSlots(METRIC, paths, { locked: true }).bytes[0]?.length,
      RETIRED_PACK_BYTES,
    );
    await slots(encodeRetiredPack(3), pack(3, 30));
    // NOTE: beside slot 1, it is retired, unread (held as no bytes).
    assert.equal(readPackSlots(METRIC, paths, { locked: true }).bytes[0]?.length, 0);
  });

  it('has no pack where the only slot is empty or cut short, and a corrupt one where none reads', async () => {
    await slots(new Uint8Array(0), undefined);
    assert.equal(currentPack(readPackSlots(METRIC, paths)), undefined);
    await slots(pack(1, 10).subarray(0, 25), undefined);
    assert.equal(currentPack(readPackSlots(METRIC, paths)), undefined);
    await slots(Buffer.from('not a pack'), undefined);
    assert.throws(() => currentPack(readPackSlots(METRIC, paths)), {
      name: 'CorruptPackError',
      message: new RegExp(METRIC),
    });
    // NOTE: slot 1 is not asked for without slot 0, which is written first and removed last.
    await slots(undefined, pack(1, 10));
    assert.equal(readPackSlots(METRIC, paths).current, undefined);
  });
});
