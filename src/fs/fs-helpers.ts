/**
 * Small filesystem steps the file drivers repeat, each with its known races.
 *
 * Steps that only touch the page cache (open, write, close, rename, unlink, mkdir, rmdir of small
 * files and folders) run synchronously; only flushes, which wait for the disk, go to the thread
 * pool. An asynchronous call costs a thread-pool round trip and a promise, ten times the CPU of
 * the synchronous one for these steps, and a write pass makes dozens of them per metric; the
 * price is that a step that must wait for the disk (a cold folder) holds the event loop for it.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsync as fsyncCallback,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const fsyncDescriptor = promisify(fsyncCallback);

/** The `code` of a Node system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Flushes a file's data, or a folder's entries (new or renamed names), to disk. */
export async function flushPath(path: string): Promise<void> {
  const descriptor = openSync(path, 'r');
  try {
    await fsyncDescriptor(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Flushes a file or folder (see `flushPath`) unless it is gone. */
export async function flushIfPresent(path: string): Promise<void> {
  try {
    await flushPath(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

/** Creates a folder; returns whether this call created it. */
export function makeFolder(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    // NOTE: EEXIST: another process made it first, which is just as good.
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** Removes a folder if it is empty; returns whether it is gone. */
export function removeFolderIfEmpty(path: string): boolean {
  try {
    rmdirSync(path);
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
export function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
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
 * Whether a path exists. Asking costs about a third of a failed open, whose thrown error
 * captures a stack trace; unlike `existsSync`, an error other than absence (a refused
 * permission) throws instead of passing for absence.
 */
export function pathExists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * A file's bytes, read synchronously, or `undefined` when it does not exist. Absence is asked
 * first with a `stat` (see `pathExists`): callers such as a new metric's storage pass ask for files
 * that do not exist yet; for one that does, the size it gives spares the read an `fstat`.
 */
export function readFileIfPresentSync(path: string): Uint8Array | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats === undefined ? undefined : readFileOfSizeIfPresentSync(path, stats.size);
}

/** {@link readFileOfSizeSync}, or `undefined` when the file was removed since its size was asked. */
export function readFileOfSizeIfPresentSync(
  path: string,
  expectedBytes: number,
): Buffer | undefined {
  try {
    return readFileOfSizeSync(path, expectedBytes);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A file's bytes read with one `read` between `open` and `close` when it holds `expectedBytes`
 * (as a `stat` just said, or as its name tells), where `readFileSync` would first ask `fstat`:
 * the read asks for a byte more, and a read of a file coming back short is at its end. A file of
 * any other size is read on to its end.
 */
export function readFileOfSizeSync(path: string, expectedBytes: number): Buffer {
  const descriptor = openSync(path, 'r');
  try {
    let buffer = Buffer.allocUnsafeSlow(expectedBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) return buffer.subarray(0, length);
      length += read;
      if (length === expectedBytes) return buffer.subarray(0, length);
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
    }
  } finally {
    closeSync(descriptor);
  }
}

/** Lists a folder synchronously (see the module's note); a missing folder lists as empty. */
export function listFolderSync(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (error) {
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
  const descriptor = openSync(path, 'wx', 0o644);
  try {
    try {
      writeAll(descriptor, typeof data === 'string' ? Buffer.from(data) : data);
      if (fsync) await fsyncDescriptor(descriptor);
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    unlinkIfPresent(path);
    throw error;
  }
}

/**
 * Rewrites an existing file in place with `data`, unflushed: written from its start, then cut to
 * its length; no new file or name, so it costs a fraction of a new file and a rename. Readers
 * may see a mix of old and new bytes meanwhile. Returns `false` when the file does not exist.
 * `knownSize`: the file's size, where the caller knows nobody changed it since it was asked;
 * a file no longer than `data` then needs no cut.
 */
export function rewriteFileSync(path: string, data: Uint8Array, knownSize?: number): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r+');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  try {
    writeAll(descriptor, data);
    if (knownSize === undefined || knownSize > data.length) ftruncateSync(descriptor, data.length);
  } finally {
    closeSync(descriptor);
  }
  return true;
}

/**
 * Writes a new file (refusing to overwrite one), unflushed; a failed write leaves no file. With
 * `checkLinked`, returns whether the file still had its name once written (`fstat`'s link count),
 * for a file that a reader may take for a dead writer's and delete.
 */
export function writeNewFileSync(path: string, data: Uint8Array, checkLinked = false): boolean {
  const descriptor = openSync(path, 'wx', 0o644);
  try {
    try {
      writeAll(descriptor, data);
      return !checkLinked || fstatSync(descriptor).nlink > 0;
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    unlinkIfPresent(path);
    throw error;
  }
}

/** Writes all of `data` at the descriptor's position (a write may take only part of it). */
function writeAll(descriptor: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.length;) {
    offset += writeSync(descriptor, data, offset, data.length - offset);
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
    renameSync(temporary, path);
  } catch (error) {
    unlinkIfPresent(temporary);
    throw error;
  }
  if (fsync) await flushPath(dirname(path));
}
