/** Small filesystem steps the file drivers repeat, each with its known races. */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The `code` of a Node system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Flushes a folder's entries (new or renamed names) to disk. */
export async function fsyncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates a folder; returns whether this call created it. */
export async function makeFolder(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    // NOTE: EEXIST: another process made it first, which is just as good.
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** Removes a folder if it is empty; returns whether it is gone. */
export async function removeFolderIfEmpty(path: string): Promise<boolean> {
  try {
    await rmdir(path);
    return true;
  } catch (error) {
    const code = errorCode(error);
    // NOTE: ENOENT: someone else removed it at about the same time.
    if (code === 'ENOENT') return true;
    // NOTE: ENOTEMPTY (EEXIST on some systems): a writer put a file in meanwhile; keep it.
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

/** Deletes a file that may already be gone. */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    // NOTE: ENOENT: deleted by another reader (e.g. a second delete of the same handles).
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

/** Lists a folder; a missing folder lists as empty. */
export async function listFolder(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    // NOTE: ENOENT: the folder was emptied and removed by a reader, or never existed.
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Writes a new file (refusing to overwrite one) and, with `fsync`, flushes its bytes before
 * resolving; a failed write leaves no file behind.
 */
export async function writeNewFile(
  path: string,
  data: string | Uint8Array,
  fsync: boolean,
): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    try {
      await handle.writeFile(data);
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlinkIfPresent(path);
    throw error;
  }
}

/** The name of a temporary file beside the files of a folder; starts with a dot. */
export function temporaryPath(folder: string): string {
  return join(folder, `.tmp-${randomUUID()}`);
}

/** Replaces a file atomically: write a temporary file beside it, then rename it over. */
export async function replaceFile(
  path: string,
  data: string | Uint8Array,
  fsync: boolean,
): Promise<void> {
  const temporary = temporaryPath(dirname(path));
  await writeNewFile(temporary, data, fsync);
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlinkIfPresent(temporary);
    throw error;
  }
  if (fsync) await fsyncFolder(dirname(path));
}
