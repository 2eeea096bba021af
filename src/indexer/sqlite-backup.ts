/**
 * A consistent copy of an SQLite index while processes use it: SQLite's online backup, which
 * copies the pages as of one moment (the write-ahead log included) without stopping the writers.
 */
import Database from 'better-sqlite3';

/** Copies the index at `path` into the new file `target`. */
export async function backupSqliteIndex(path: string, target: string): Promise<void> {
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await database.backup(target);
  } finally {
    database.close();
  }
}
