/**
 * collectd (Debian's collectd-core) with its write_graphite plugin pointed at `orzo graphite`,
 * run on its own beside `orzo serve` on the same data folder: collectd's `load` and `memory`
 * readings become metrics of one resource per host (a rule maps `collectd.<host>.<metric>`),
 * read back through the API once metricd has processed them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { request, waitForDrain } from '../support/aggregate-workload.ts';
import {
  freePort,
  launchListener,
  startOrzo,
  type MetricdChild,
  type OrzoProcess,
} from '../support/orzo-process.ts';
import { ensureDebianPackage, runs } from '../support/debian-package.ts';

const COLLECTD = '/usr/sbin/collectd';
const RULES = JSON.stringify([{ pattern: '^collectd\\.(?<resource>[^.]+)\\.(?<metric>.+)$' }]);

function ensureCollectd(): void {
  ensureDebianPackage('collectd-core', () => runs(COLLECTD, ['-h']), { lean: true });
}

/** collectd's configuration: `load` and `memory` every second, written to `port` over TCP. */
function collectdConfig(folder: string, port: number): string {
  return `Hostname "orzo-test.example"
FQDNLookup false
BaseDir "${folder}"
PIDFile "${folder}/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin load
LoadPlugin memory
LoadPlugin write_graphite
<Plugin write_graphite>
  <Node "orzo">
    Host "127.0.0.1"
    Port "${String(port)}"
    Protocol "tcp"
    Prefix "collectd."
    EscapeCharacter "_"
  </Node>
</Plugin>
`;
}

interface ResourceJson {
  readonly creator: string;
  readonly original_resource_id: string;
  readonly metrics: Record<string, string>;
}

describe('collectd write_graphite against orzo graphite', () => {
  let orzo: OrzoProcess;
  let graphite: MetricdChild;
  let folder: string;
  let graphitePort: number;

  before(async () => {
    ensureCollectd();
    folder = mkdtempSync(join(tmpdir(), 'orzo-collectd-'));
    orzo = await startOrzo('serve', [], { env: { ORZO_METRICD_TICK_SECONDS: '0.2' } });
    graphitePort = await freePort();
    graphite = await launchListener('graphite', {
      dataDir: orzo.dataDir,
      env: {
        ORZO_GRAPHITE_PORT: String(graphitePort),
        ORZO_GRAPHITE_RULES: RULES,
      },
    });
  });
  after(async () => {
    await graphite.stop();
    await orzo.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it("stores collectd's readings as metrics of the host's resource", async () => {
    writeFileSync(join(folder, 'collectd.conf'), collectdConfig(folder, graphitePort));
    const collectd = spawn(COLLECTD, ['-f', '-C', join(folder, 'collectd.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    collectd.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    collectd.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await sleep(4500);
    collectd.kill('SIGTERM');
    await new Promise((resolve) => collectd.once('exit', resolve));
    // NOTE: the listener flushes every second; SIGTERM makes it flush what is left.
    await graphite.stop();
    await waitForDrain(orzo.url, 60_000);
    const resources = (await request(
      orzo.url,
      'GET',
      '/v1/resource/generic?filter=' + encodeURIComponent('creator="graphite"'),
    )) as ResourceJson[];
    const host = resources.find(
      (resource) => resource.original_resource_id === 'orzo-test_example',
    );
    assert.ok(host, `the host's resource among ${JSON.stringify(resources)}; collectd: ${output}`);
    const names = Object.keys(host.metrics);
    for (const name of ['load.load.shortterm', 'load.load.longterm', 'memory.memory-used']) {
      assert.ok(names.includes(name), `${name} among ${names.join(', ')}`);
    }
    const id = host.metrics['memory.memory-used'];
    const points = (await request(
      orzo.url,
      'GET',
      `/v1/metric/${String(id)}/measures?aggregation=count`,
    )) as [string, number, number][];
    const count = points.reduce((total, [, , value]) => total + value, 0);
    // NOTE: one reading a second for about four seconds.
    assert.ok(count >= 2, `${String(count)} readings of memory-used`);
    const used = (await request(
      orzo.url,
      'GET',
      `/v1/metric/${String(id)}/measures?aggregation=max`,
    )) as [string, number, number][];
    assert.ok(
      used.every(([, , value]) => value > 0),
      JSON.stringify(used),
    );
  });
});
