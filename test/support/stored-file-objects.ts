/**
 * A metric's stored objects in a file storage folder, read and damaged from outside the server
 * the way a bad disk would: through its pack, or its folder for the objects kept as files.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { encodePack, IN_FOLDER } from '../../src/storage/file/object-pack.ts';
import { FileStorageLayout } from '../../src/storage/file/file-storage-layout.ts';
import { type CurrentPack, currentPack, readPackSlots } from '../../src/storage/file/pack-slots.ts';

function currentPackOf(paths: FileStorageLayout, metricId: string): CurrentPack | undefined {
  return currentPack(readPackSlots(metricId, paths.packSlotPaths(metricId)));
}

/** Whether anything of the metric is stored: its pack or its folder. */
export function isStored(dataDir: string, metricId: string): boolean {
  const paths = new FileStorageLayout(dataDir);
  return (
    existsSync(paths.packPath(metricId, 0)) ||
    existsSync(paths.packPath(metricId, 1)) ||
    existsSync(paths.metricPath(metricId))
  );
}

/** The metric's objects by name with their bytes, wherever each is kept. */
export function storedObjects(dataDir: string, metricId: string): Map<string, Buffer> {
  const paths = new FileStorageLayout(dataDir);
  const objects = new Map<string, Buffer>();
  const pack = currentPackOf(paths, metricId);
  if (pack !== undefined) {
    for (const [name, bytes] of pack.entries) {
      objects.set(
        name,
        bytes === IN_FOLDER ? readFileSync(paths.objectPath(metricId, name)) : Buffer.from(bytes),
      );
    }
  }
  if (existsSync(paths.metricPath(metricId))) {
    for (const name of readdirSync(paths.metricPath(metricId))) {
      if (!name.startsWith('.') && !objects.has(name)) {
        objects.set(name, readFileSync(join(paths.metricPath(metricId), name)));
      }
    }
  }
  return objects;
}

/** Replaces the bytes of one stored object where it is kept, as a damaged disk would. */
export function overwriteStoredObject(
  dataDir: string,
  metricId: string,
  name: string,
  bytes: Uint8Array,
): void {
  const paths = new FileStorageLayout(dataDir);
  const pack = currentPackOf(paths, metricId);
  if (pack !== undefined && pack.entries.has(name) && pack.entries.get(name) !== IN_FOLDER) {
    // NOTE: the slot rewritten whole, checksums and all, so that the damage is the object's alone.
    const entries = new Map(pack.entries).set(name, bytes);
    writeFileSync(paths.packPath(metricId, pack.slot), encodePack(entries, pack.generation));
    return;
  }
  writeFileSync(paths.objectPath(metricId, name), bytes);
}
