/**
 * `orzo backup DIR` and `orzo restore DIR`: a copy of a running embedded deployment (SQLite
 * indexer, file incoming and storage), and its return into an empty data folder.
 *
 * The copy loses nothing a client was told was accepted before it began, and counts nothing
 * twice once restored. Its order is what makes it so: the incoming batches first (every file
 * of an acknowledged request is whole on disk before the 202; files still being written, named
 * `.tmp-…`, are not), then the storage objects (each replaced whole by a rename, or, for a
 * metric's pack, read from its two slots until it reads whole, as the storage driver reads it),
 * then the indexer through SQLite's online backup. A batch processed between the first two
 * steps is in both copies; processing it again after the restore changes nothing, since a
 * measure posted twice is one point. Metrics created after the indexer copy are not in it, and neither are the
 * measures posted to them.
 *
 * With PostgreSQL and Redis, use their own tools (`pg_dump`, and Redis's RDB or AOF files), taken
 * in the same order: Redis first, then PostgreSQL.
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { EngineConfig } from '../config/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import { errorCode } from '../fs/fs-helpers.ts';
import { backupSqliteIndex } from '../indexer/index.ts';
import { PACK_SUFFIX, SECOND_PACK_SUFFIX } from '../storage/file/file-storage-layout.ts';
import { readSettledPackSlots } from '../storage/file/pack-slots.ts';

/** The folders of the embedded backends under their base paths, and the index file's name. */
const INCOMING_FOLDER = 'incoming';
const STORAGE_FOLDER = 'storage';
const INDEX_FILE = 'index.db';
/** What a backup copies of the incoming folder: not the journal, whose batches are in files. */
const SKIPPED = new Set(['journal']);

/** Paths of the embedded backends; refuses any other deployment. */
function embeddedPaths(config: EngineConfig, command: string) {
  const { indexer, incoming, storage } = config.backends;
  if (indexer.backend !== 'sqlite' || incoming.driver !== 'file' || storage.driver !== 'file') {
    throw new ConfigError(
      `orzo ${command} copies the embedded backends (SQLite, files); with PostgreSQL use ` +
        'pg_dump, with Redis its RDB or AOF files (Redis first, then PostgreSQL)',
      { path: command },
    );
  }
  return {
    index: indexer.path,
    incoming: join(incoming.basePath, INCOMING_FOLDER),
    storage: join(storage.basePath, STORAGE_FOLDER),
  };
}

/** Copies the running deployment into `target`, which must not exist or be empty. */
export async function runBackup(
  config: EngineConfig,
  target: string | undefined,
): Promise<string[]> {
  if (target === undefined)
    throw new ConfigError('orzo backup needs a target folder', { path: 'backup' });
  const paths = embeddedPaths(config, 'backup');
  await requireEmpty(target, 'backup');
  const incoming = await copyTree(paths.incoming, join(target, INCOMING_FOLDER));
  const storage = await copyTree(paths.storage, join(target, STORAGE_FOLDER), copyStorageFile);
  await backupSqliteIndex(paths.index, join(target, INDEX_FILE));
  return [
    `backup: ${incoming} incoming files, ${storage} storage objects and the index copied to ${target}`,
  ];
}

/** Copies a backup into the configured data folders, which must hold no deployment yet. */
export async function runRestore(
  config: EngineConfig,
  source: string | undefined,
): Promise<string[]> {
  if (source === undefined)
    throw new ConfigError('orzo restore needs a backup folder', { path: 'restore' });
  const paths = embeddedPaths(config, 'restore');
  await stat(join(source, INDEX_FILE)).catch(() => {
    throw new ConfigError(`${source} holds no backup (no ${INDEX_FILE})`, { path: 'restore' });
  });
  for (const path of [paths.index, paths.incoming, paths.storage]) {
    if (await exists(path)) {
      throw new ConfigError(`${path} exists: restore into an empty data folder`, {
        path: 'restore',
      });
    }
  }
  const incoming = await copyTree(join(source, INCOMING_FOLDER), paths.incoming);
  const storage = await copyTree(join(source, STORAGE_FOLDER), paths.storage);
  await mkdir(join(paths.index, '..'), { recursive: true });
  await copyFile(join(source, INDEX_FILE), paths.index);
  return [`restore: ${incoming} incoming files, ${storage} storage objects and the index restored`];
}

/**
 * Copies a folder tree file by file; a file that vanishes meanwhile (a batch processed, an object
 * expired) is skipped, and so are files still being written (dotted names: `.tmp-…`, and the
 * `.<id>.pack-new` of a storage written before pack slots). `copy` copies one file, and says
 * whether it did. Returns the files copied.
 */
async function copyTree(
  from: string,
  to: string,
  copy: (source: string, target: string) => Promise<boolean> = copyWhole,
): Promise<number> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
  await mkdir(to, { recursive: true });
  let copied = 0;
  for (const entry of entries) {
    if (SKIPPED.has(entry.name) || basename(entry.name).startsWith('.')) continue;
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      copied += await copyTree(source, join(to, entry.name), copy);
      continue;
    }
    try {
      if (await copy(source, join(to, entry.name))) copied++;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return copied;
}

async function copyWhole(source: string, target: string): Promise<boolean> {
  await copyFile(source, target);
  return true;
}

/**
 * Copies a storage file. A metric's pack slots are rewritten in place, so a copy of each could
 * catch one half written, and the two could be copied a write or two apart: the pack is read
 * from both until settled (`pack-slots.ts`), and its current one copied as the metric's slot 0.
 * Slots where no pack reads (damaged) are copied as they are, for the restore to report them.
 */
async function copyStorageFile(source: string, target: string): Promise<boolean> {
  const name = basename(source);
  if (name.endsWith(SECOND_PACK_SUFFIX)) return false;
  if (!name.endsWith(PACK_SUFFIX)) return copyWhole(source, target);
  const second = `${source.slice(0, -PACK_SUFFIX.length)}${SECOND_PACK_SUFFIX}`;
  const read = readSettledPackSlots(name.slice(0, -PACK_SUFFIX.length), [source, second]);
  if (read.current !== undefined) {
    await writeFile(target, read.bytes[read.current.slot] ?? new Uint8Array(0));
    return true;
  }
  if (read.corrupt === undefined) return false;
  await copyWhole(source, target);
  await copyFile(second, `${target.slice(0, -PACK_SUFFIX.length)}${SECOND_PACK_SUFFIX}`).catch(
    (error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    },
  );
  return true;
}

async function requireEmpty(folder: string, command: string): Promise<void> {
  try {
    if ((await readdir(folder)).length > 0) {
      throw new ConfigError(`${folder} is not empty`, { path: command });
    }
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  await mkdir(folder, { recursive: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}
