/**
 * `orzo backup` of the file storage's pack slots: each metric's current pack is copied whole,
 * whichever slot holds it and whatever a crash left in the other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { runBackup } from '../../src/cli/backup.ts';
import { runUpgrade } from '../../src/cli/upgrade.ts';
import { loadConfig } from '../../src/config/index.ts';
import { FileStorageDriver } from '../../src/storage/file/file-storage-driver.ts';
import { decodePack } from '../../src/storage/file/object-pack.ts';

const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';
const C = '00000000-0000-0000-0000-00000000000c';

describe('orzo backup of pack slots', () => {
  const folders: string[] = [];
  after(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('copies each metric current pack as its slot 0, and damaged slots as they are', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'orzo-backup-packs-'));
    const target = await mkdtemp(join(tmpdir(), 'orzo-backup-packs-to-'));
    folders.push(dataDir, target);
    const { config } = loadConfig({ argv: ['--data-dir', dataDir], env: {} });
    await runUpgrade(config, {
      skipArchivePoliciesCreation: true,
      skipIndex: false,
      skipIncoming: false,
      skipStorage: false,
    });
    const driver = new FileStorageDriver({ basePath: dataDir, fsync: false });
    const put = (id: string, byte: number) =>
      driver.updateObjects(id, { put: new Map([['raw', Uint8Array.of(byte)]]), remove: [] });
    // NOTE: A's current pack is in slot 1, its slot 0 cut short as a crash mid-write leaves it;
    // B has slot 0 alone; C has two slots that do not read.
    for (const byte of [1, 2]) await put(A, byte);
    for (const id of [B, C]) await put(id, 3);
    await put(C, 4);
    const shard = join(dataDir, 'storage', '00');
    await truncate(join(shard, `${A}.pack`), 10);
    for (const name of [`${C}.pack`, `${C}.pack-1`]) await writeFile(join(shard, name), 'garbage');
    await driver.close();

    await runBackup(config, target);

    const copied = join(target, 'storage', '00');
    assert.deepEqual(
      (await readdir(copied)).sort(),
      [`${A}.pack`, `${B}.pack`, `${C}.pack`, `${C}.pack-1`].sort(),
    );
    const a = decodePack(await readFile(join(copied, `${A}.pack`)));
    assert.deepEqual(
      [a.generation, a.intact, [...(a.entries.get('raw') as Uint8Array)]],
      [2, true, [2]],
    );
    const b = decodePack(await readFile(join(copied, `${B}.pack`)));
    assert.deepEqual([b.generation, [...(b.entries.get('raw') as Uint8Array)]], [1, [3]]);
    assert.equal(await readFile(join(copied, `${C}.pack-1`), 'utf8'), 'garbage');
  });
});
