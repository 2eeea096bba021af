/**
 * Which test files run in a process of their own and which share one. Starting a test file costs
 * a node process and its TypeScript loaded through tsx (1–2 s of CPU on a busy machine), more than
 * most files take to run; so files that start no long-lived processes of their own and change
 * nothing process-wide run one after another in one process (`shared-process.ts`), and the rest,
 * each in its own, beside them.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Files that need a process of their own besides those `OWN_PROCESS` matches by name. */
const OWN_PROCESS_FILES = new Set([
  // NOTE: long (a real Keystone, large bodies, the fuzzer, timeouts); they balance the lanes.
  'test/api/auth/keystone-authenticator.test.ts',
  'test/api/large-bodies.test.ts',
  'test/api/fuzz.test.ts',
  'test/api/timeouts.test.ts',
  'test/api/ingest/measures-parse-pool.test.ts',
  'test/coordination/redis/reporter-election.test.ts',
  'test/lock/file-metric-locks.test.ts',
  'test/lock/redis-metric-locks.test.ts',
  'test/metricd/modules/subhealth-checker.test.ts',
  'test/metricd/cluster/block-queue.test.ts',
]);
/** The end-to-end folders, and files that kill or fork processes. */
const OWN_PROCESS =
  /^test\/(cli|console)\/.*\.e2e\.test\.ts$|^test\/cli\/|(crash|process)\.test\.ts$/;

/** Every test file, as a path from the package root. */
function testFiles(folder = join(ROOT, 'test')): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
    })
    .sort();
}

/** The test files of a run. */
export interface TestPlan {
  /** `test/cli/` and `test/console/*.e2e.test.ts`, each in its own process: the longest. */
  readonly endToEnd: readonly string[];
  /** The other files that need a process of their own. */
  readonly ownProcess: readonly string[];
  /** In one process, one after another. */
  readonly shared: readonly string[];
}

export function testPlan(): TestPlan {
  const files = testFiles();
  const own = files.filter((file) => OWN_PROCESS.test(file) || OWN_PROCESS_FILES.has(file));
  const endToEnd = own.filter((file) => /^test\/(cli|console)\//.test(file));
  return {
    endToEnd,
    ownProcess: own.filter((file) => !endToEnd.includes(file)),
    shared: files.filter((file) => !own.includes(file)),
  };
}

/** The package root, for paths of the plan. */
export const TEST_ROOT = ROOT;
