/**
 * `npm test`: Node's test runner on two lanes, over the files of the test plan that need a
 * process of their own and the one process the others share (`support/test-plan.ts`). Flags
 * given after `npm test --` go to the runner (e.g. `--test-name-pattern=…`).
 */
import { spawn } from 'node:child_process';
import process from 'node:process';

import { TEST_ROOT, testPlan } from './support/test-plan.ts';

const { endToEnd, ownProcess } = testPlan();
const runner = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    ...process.argv.slice(2),
    // NOTE: the longest first, so that none starts last and runs alone.
    ...endToEnd,
    'test/support/shared-process.ts',
    ...ownProcess,
  ],
  { cwd: TEST_ROOT, stdio: 'inherit' },
);
runner.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 128);
});
