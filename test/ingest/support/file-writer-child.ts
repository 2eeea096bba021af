/**
 * A child process for the crash test: writes batches through the file driver in a loop and
 * prints each batch's tag on stdout once its write has resolved, until it is killed.
 *
 * Usage: node --import tsx file-writer-child.ts <basePath> <firstTag> <fsync: 0|1> [bootId]
 */
import { FileIncomingDriver } from '../../../src/ingest/file/file-incoming-driver.ts';
import { CRASH_TEST_SACKS, crashTestBatch } from './crash-batches.ts';

const [basePath, firstTagText, fsyncText, bootId] = process.argv.slice(2);
if (basePath === undefined || firstTagText === undefined)
  throw new Error('usage: <base> <tag> <fsync>');
const driver = new FileIncomingDriver({
  basePath,
  fsync: fsyncText === '1',
  ...(bootId === undefined ? {} : { bootId }),
});
if ((await driver.getSackCount()) !== CRASH_TEST_SACKS) throw new Error('run setSackCount first');

process.stdout.write('ready\n');
for (let tag = Number(firstTagText); ; tag += 2) {
  // NOTE: every other write carries two metrics, as the batch endpoint does.
  await driver.addBatches(
    tag % 4 === 0 ? [crashTestBatch(tag), crashTestBatch(tag + 1)] : [crashTestBatch(tag)],
  );
  // NOTE: stdout is a pipe, written synchronously on Linux: once this returns the parent gets it.
  process.stdout.write(tag % 4 === 0 ? `${tag}\n${tag + 1}\n` : `${tag}\n`);
}
