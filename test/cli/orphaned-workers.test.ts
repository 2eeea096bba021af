/**
 * `orzo serve` SIGKILLed at moments of its start-up and of its life: every process it started
 * (metricd's workers) must notice and exit, whatever stage it was at. The same for `orzo metricd`
 * scaled out on Redis and PostgreSQL, whose workers take their blocks from a BullMQ queue. And
 * `npm start` stopped with SIGTERM stops the server it started.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';
import pg from 'pg';

import { freePort, runOrzo } from '../support/orzo-process.ts';
import { createTestSchema, dropTestSchema, TEST_POSTGRESQL_URL } from '../support/postgresql.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');

/** The processes whose environment holds `tag`, but `except`. */
function taggedProcesses(tag: string, except: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === except || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // NOTE: a zombie has exited; it only waits to be reaped.
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(tag)) found.push(pid);
    } catch {
      // NOTE: gone between the listing and the read.
    }
  }
  return found;
}

/** The tagged processes still alive after up to 30 s, killed so that none outlives the test. */
async function survivors(tag: string, except: number): Promise<number[]> {
  let left = taggedProcesses(tag, except);
  for (let waited = 0; left.length > 0 && waited < 30_000; waited += 250) {
    await sleep(250);
    left = taggedProcesses(tag, except);
  }
  for (const pid of left) process.kill(pid, 'SIGKILL');
  return left;
}

describe('orzo serve killed with SIGKILL', () => {
  const dataDirs: string[] = [];
  after(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const delayMs of [300, 1000, 2500]) {
    it(`leaves no process behind when killed ${delayMs} ms after it started`, async () => {
      const tag = `ORZO_ORPHAN_TEST=${randomUUID()}`;
      const [name, value] = tag.split('=') as [string, string];
      const port = await freePort();
      // NOTE: a fresh data folder, so that the kill may also land during the upgrade.
      const dataDir = mkdtempSync(join(tmpdir(), 'orzo-orphans-'));
      dataDirs.push(dataDir);
      const serve = spawn(
        process.execPath,
        [ORZO, 'serve', '--data-dir', dataDir, '--port', String(port)],
        {
          env: { ...process.env, [name]: value },
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      await sleep(delayMs);
      serve.kill('SIGKILL');
      await exited;
      const left = await survivors(tag, serve.pid ?? -1);
      assert.deepEqual(left, [], `processes still alive 30 s after their parent was killed`);
    });
  }

  it('stops everything when npm start is sent SIGTERM', async () => {
    const tag = `ORZO_ORPHAN_TEST=${randomUUID()}`;
    const [name, value] = tag.split('=') as [string, string];
    const dataDir = mkdtempSync(join(tmpdir(), 'orzo-orphans-'));
    dataDirs.push(dataDir);
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, [name]: value, ORZO_DATA_DIR: dataDir, ORZO_API_PORT: String(port) },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => npm.once('exit', resolve));
    for (let waited = 0; waited < 60_000; waited += 250) {
      const ready = await fetch(`http://127.0.0.1:${port}/healthcheck`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      await sleep(250);
    }
    npm.kill('SIGTERM');
    await exited;
    const left = await survivors(tag, npm.pid ?? -1);
    assert.deepEqual(left, [], 'processes still alive 30 s after npm start was stopped');
  });
});

describe('orzo metricd on Redis and PostgreSQL killed with SIGKILL', () => {
  const prefix = randomPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-orphans-'));
  const redisUrl = (part: string) =>
    `${SHARED_REDIS_URL}/?prefix=${encodeURIComponent(`${prefix}${part}:`)}`;
  let schema: string | undefined;
  let flags: string[] = [];

  before(async () => {
    const admin = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
    await admin.connect();
    const made = await createTestSchema(admin, 'orzo_orphans').finally(() => admin.end());
    schema = made.schema;
    flags = [
      '--indexer',
      made.url,
      '--incoming',
      redisUrl('in'),
      '--storage',
      redisUrl('st'),
      '--coordination',
      redisUrl('co'),
    ];
    runOrzo(['upgrade', '--data-dir', dataDir, ...flags]);
  });
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const redis = new Redis(SHARED_REDIS_URL);
    await deleteKeys(redis, prefix).finally(() => {
      redis.disconnect();
    });
    if (schema === undefined) return;
    const dropper = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
    await dropper.connect();
    await dropTestSchema(dropper, schema).finally(() => dropper.end());
  });

  for (const moment of [500, 1500, 'once its workers run'] as const) {
    const when = typeof moment === 'number' ? `${moment} ms after it started` : moment;
    it(`leaves no worker behind when killed ${when}`, async (t) => {
      const tag = `ORZO_ORPHAN_TEST=${randomUUID()}`;
      const [name, value] = tag.split('=') as [string, string];
      const metricd = spawn(
        process.execPath,
        [ORZO, 'metricd', '--workers', '2', '--data-dir', dataDir, ...flags],
        { env: { ...process.env, [name]: value }, stdio: 'ignore' },
      );
      const exited = new Promise((resolve) => metricd.once('exit', resolve));
      if (typeof moment === 'number') {
        await sleep(moment);
      } else {
        for (let waited = 0; taggedProcesses(tag, metricd.pid ?? -1).length < 2; waited += 100) {
          assert.ok(waited < 60_000, 'the workers never started');
          await sleep(100);
        }
      }
      const children = taggedProcesses(tag, metricd.pid ?? -1).length;
      metricd.kill('SIGKILL');
      await exited;
      const left = await survivors(tag, metricd.pid ?? -1);
      assert.deepEqual(left, [], `processes still alive 30 s after their parent was killed`);
      t.diagnostic(`${children} worker process(es) running at the kill`);
    });
  }
});
