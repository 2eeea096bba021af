/**
 * The hosts' now views, one conformance suite over both boards: the file board of the data
 * folder and the Redis hash, each read back, replaced and removed per host.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import {
  FileHostNowBoard,
  RedisHostNowBoard,
  type HostNowBoard,
  type HostNowView,
} from '../../src/coordination/index.ts';
import { useSharedRedis } from '../support/shared-redis.ts';

function view(host: string, load: number): HostNowView {
  return {
    host,
    address: '127.0.0.2:8650',
    up: true,
    lastContact: '2026-12-05T10:00:00.000Z',
    sampledAt: '2026-12-05T09:59:59.500Z',
    updatedAt: '2026-12-05T10:00:00.010Z',
    quantumSeconds: 15,
    agentDropped: 0,
    lastError: null,
    figures: { node_load1: load, 'node_cpu_seconds_total:rate@mode=user': 0.25 },
  };
}

function conformance(name: string, open: () => HostNowBoard): void {
  describe(`${name} host now board`, () => {
    it('reads back the newest view of each host, and none once removed', async () => {
      const board = open();
      const [a, b] = [randomUUID(), randomUUID()];
      assert.equal(await board.read(a), undefined);
      await board.write(a, view('web-1', 0.5));
      await board.write(b, view('web-2', 2));
      await board.write(a, view('web-1', 0.75));
      assert.deepEqual(await board.read(a), view('web-1', 0.75));
      assert.equal((await board.read(b))?.figures.node_load1, 2);
      await board.remove(a);
      await board.remove(a);
      assert.equal(await board.read(a), undefined);
      assert.equal((await board.read(b))?.host, 'web-2');
      await board.close();
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'orzo-now-'));
after(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
conformance('file', () => new FileHostNowBoard(dataDir));

let client: Redis | undefined;
const { newPrefix } = useSharedRedis((connected) => {
  client = connected;
});
conformance('Redis', () => {
  assert.ok(client);
  return new RedisHostNowBoard({ client, prefix: newPrefix() });
});

describe('FileHostNowBoard', () => {
  it('refuses a key that is not a resource id, so no view lands outside its folder', async () => {
    const board = new FileHostNowBoard(dataDir);
    await assert.rejects(board.write('../../etc/x', view('x', 1)), /not a resource id/);
  });
});
