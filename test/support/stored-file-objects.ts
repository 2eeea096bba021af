/**
 * A metric's stored objects in a file storage folder, read and damaged from outside the server
 * the way a bad disk would: through its pack, or its folder for the objects kept as files.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { temporaryPath } from '../../src/fs/fs-helpers.ts';
import { decodePack, encodePack, IN_FOLDER } from '../../src/storage/file/object-pack.ts';
import { FileStorageLayout } from '../../src/storage/file/file-storage-layout.ts';

/** Whether anything of the metric is stored: its pack or its folder. */
export function isStored(dataDir: string, metricId: string): boolean {
  const paths = new FileStorageLayout(dataDir);
  return existsSync(paths.packPath(metricId)) || existsSync(paths.metricPath(metricId));
}

/** The metric's objects by name with their bytes, wherever each is kept. */
export function storedObjects(dataDir: string, metricId: string): Map<string, Buffer> {
  const paths = new FileStorageLayout(dataDir);
  const objects = new Map<string, Buffer>();
  if (existsSync(paths.packPath(metricId))) {
    for (const [name, bytes] of decodePack(readFileSync(paths.packPath(metricId)))) {
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
  const packPath = paths.packPath(metricId);
  const entries = existsSync(packPath) ? decodePack(readFileSync(packPath)) : new Map();
  if (entries.has(name) && entries.get(name) !== IN_FOLDER) {
    entries.set(name, bytes);
    const temporary = temporaryPath(paths.shardPath(metricId));
    writeFileSync(temporary, encodePack(entries));
    renameSync(temporary, packPath);
    return;
  }
  writeFileSync(paths.objectPath(metricId, name), bytes);
}
