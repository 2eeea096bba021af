/**
 * A real Prometheus (Debian's `prometheus`) scraping a target (Orzo's own `/metrics`) every
 * second and remote-writing to a running `orzo serve`; the series are read back through the API.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { request } from '../support/aggregate-workload.ts';
import { freePort, startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { ensureDebianPackage, runs } from '../support/debian-package.ts';

function ensurePrometheus(): void {
  ensureDebianPackage('prometheus', () => runs('prometheus', ['--version']), { lean: true });
}

interface ResourceJson {
  readonly job: string;
  readonly instance: string;
  readonly metrics: Record<string, string>;
}

describe('Prometheus remote-writing to orzo serve', () => {
  let orzo: OrzoProcess;
  let prometheus: ChildProcess;
  let folder: string;
  let output = '';

  before(async () => {
    ensurePrometheus();
    orzo = await startOrzo('serve');
    folder = mkdtempSync(join(tmpdir(), 'orzo-prometheus-'));
    const target = new URL(orzo.url).host;
    writeFileSync(
      join(folder, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: orzo',
        `    static_configs: [{ targets: ['${target}'] }]`,
        'remote_write:',
        `  - url: ${orzo.url}/v1/prometheus/write`,
        '    basic_auth: { username: admin, password: unused }',
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(folder, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(folder, 'data')}`,
        `--web.listen-address=127.0.0.1:${String(await freePort())}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
  });
  after(async () => {
    prometheus.kill('SIGTERM');
    await new Promise((resolve) => prometheus.once('exit', resolve));
    await orzo.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stores the scraped series under the job@instance resource; they read back', async () => {
    const instance = new URL(orzo.url).host;
    const path = `/v1/resource/prometheus/${encodeURIComponent(`orzo@${instance}`)}`;
    let resource: ResourceJson | undefined;
    const deadline = Date.now() + 60_000;
    while (resource?.metrics.up === undefined) {
      assert.ok(Date.now() < deadline, `no series arrived; prometheus said:\n${output}`);
      await sleep(500);
      resource = (await request(orzo.url, 'GET', path).catch(() => undefined)) as
        ResourceJson | undefined;
    }
    assert.equal(resource.job, 'orzo');
    assert.equal(resource.instance, instance);
    // NOTE: Orzo's own exposition, and the health series Prometheus adds to every scrape.
    assert.ok(
      resource.metrics.orzo_process_cpu_user_seconds_total,
      Object.keys(resource.metrics).join(),
    );
    assert.ok(resource.metrics.scrape_duration_seconds);
    const up = (await request(
      orzo.url,
      'GET',
      `/v1/metric/${resource.metrics.up}/measures?refresh=true&aggregation=max`,
    )) as [string, number, number][];
    assert.ok(up.length > 0);
    assert.ok(up.every(([, , value]) => value === 1));
  });
});
