/** Runs the test files the plan says may share a process, one after another, in this one. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { TEST_ROOT, testPlan } from './test-plan.ts';

for (const file of testPlan().shared) await import(pathToFileURL(join(TEST_ROOT, file)).href);
