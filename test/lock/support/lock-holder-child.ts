/**
 * A child process that takes one metric's lock, prints `locked`, and holds it until killed.
 *
 * Usage: node --import tsx lock-holder-child.ts <basePath> <metricId> <staleMs>
 */
import { FileMetricLocks } from '../../../src/lock/file-metric-locks.ts';

const [basePath, metricId, staleMs] = process.argv.slice(2);
if (basePath === undefined || metricId === undefined) throw new Error('usage: <base> <id> <ms>');
const locks = new FileMetricLocks({ basePath, staleMs: Number(staleMs) });
const lock = await locks.tryAcquire(metricId);
process.stdout.write(lock === undefined ? 'busy\n' : 'locked\n');
setInterval(() => undefined, 60_000);
