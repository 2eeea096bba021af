/**
 * A child process for the crash test: updates one metric's objects through the file driver in a
 * loop (bundles first, `raw` last) and prints each generation once its update has resolved,
 * until it is killed.
 *
 * Usage: node --import tsx storage-writer-child.ts <basePath> <firstGeneration> <fsync: 0|1>
 */
import { FileStorageDriver } from '../../../src/storage/file/file-storage-driver.ts';
import { CRASH_BUNDLES, CRASH_METRIC, crashObject } from './crash-objects.ts';

const [basePath, firstText, fsyncText] = process.argv.slice(2);
if (basePath === undefined || firstText === undefined)
  throw new Error('usage: <base> <gen> <fsync>');
const driver = new FileStorageDriver({ basePath, fsync: fsyncText === '1' });

process.stdout.write('ready\n');
for (let generation = Number(firstText); ; generation++) {
  const put = new Map(CRASH_BUNDLES.map((name, i) => [name, crashObject(generation, i)]));
  put.set('raw', crashObject(generation, CRASH_BUNDLES.length));
  await driver.updateObjects(CRASH_METRIC, { put, remove: [] });
  // NOTE: stdout is a pipe, written synchronously on Linux: once this returns the parent gets it.
  process.stdout.write(`${generation}\n`);
}
