/**
 * `orzo backup DIR` and `orzo restore DIR`: a copy of a running embedded deployment (SQLite
 * indexer, file incoming and storage), and its return into an empty data folder.
 *
 * The copy loses nothing a client was told was accepted before it began, and counts nothing
 * twice once restored. Its order is what makes it so: the incoming batches first (every file
 * of an acknowledged request is whole on disk before the 202; files still being written, named
 * `.tmp-…`, are not), then the storage objects (each replaced whole by a rename), then the
 * indexer through SQLite's online backup. A batch processed between the first two steps is in
 * both copies; processing it again after the restore changes nothing, since a measure posted
 * twice is one point. Metrics created after the indexer copy are not in it, and neither are the
 * measures posted to them.
 *
 * With PostgreSQL and Redis, use their own tools (`pg_dump`, and Redis's RDB or AOF files), taken
 * in the same order: Redis first, then PostgreSQL.
 */
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { EngineConfig } from '../config/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import { errorCode } from '../fs/fs-helpers.ts';
import { backupSqliteIndex } from '../indexer/index.ts';

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
  const storage = await copyTree(paths.storage, join(target, STORAGE_FOLDER));
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
 * `.<id>.pack-new` of a storage written before pack slots). Both slots of a pack are copied: a
 * slot rewritten during the copy is caught by its checksums and the other one read. Returns the
 * files copied.
 */
async function copyTree(from: string, to: string): Promise<number> {
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
      copied += await copyTree(source, join(to, entry.name));
      continue;
    }
    try {
      await copyFile(source, join(to, entry.name));
      copied++;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return copied;
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
