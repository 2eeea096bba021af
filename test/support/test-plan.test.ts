import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { TEST_ROOT, testPlan } from './test-plan.ts';

describe('the test plan', () => {
  it('runs every test file once', () => {
    const { endToEnd, ownProcess, shared } = testPlan();
    const found = execFileSync('find', ['test', '-name', '*.test.ts'], { cwd: TEST_ROOT })
      .toString()
      .trim()
      .split('\n')
      .sort();
    assert.deepEqual([...endToEnd, ...ownProcess, ...shared].sort(), found);
  });

  it('gives the end-to-end and crash tests a process of their own', () => {
    const { endToEnd, ownProcess, shared } = testPlan();
    assert.ok(endToEnd.includes('test/cli/serve-e2e.test.ts'));
    assert.ok(endToEnd.includes('test/console/console.e2e.test.ts'));
    assert.ok(ownProcess.includes('test/storage/file-storage-crash.test.ts'));
    assert.ok(shared.includes('test/carbonara/bound-time-serie.test.ts'));
    assert.equal(
      shared.filter((file) => /^test\/cli\/|e2e|crash/.test(file)).length,
      0,
      shared.join(', '),
    );
  });
});
