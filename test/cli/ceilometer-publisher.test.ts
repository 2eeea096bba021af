/**
 * Ceilometer's Gnocchi publisher, played with gnocchiclient's Python library as Ceilometer calls
 * it (`test/support/ceilometer_publisher.py`), against `orzo serve` in noauth mode with the
 * `service` role, as a cloud runs it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { startOrzo, type OrzoProcess } from '../support/orzo-process.ts';

const SCRIPT = fileURLToPath(new URL('../support/ceilometer_publisher.py', import.meta.url));
/** Debian's Python, which python3-gnocchiclient installs into. */
const PYTHON = '/usr/bin/python3';

describe("Ceilometer's publisher sequence against orzo serve", () => {
  let orzo: OrzoProcess;
  before(async () => {
    orzo = await startOrzo('serve', ['--auth', 'noauth']);
  });
  after(async () => {
    await orzo.stop();
  });

  it('creates its types, posts by resource, creates unknown resources, updates, searches, reads', () => {
    const result = spawnSync(PYTHON, [SCRIPT, orzo.url], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(seen.type_conflicts, 2);
    assert.deepEqual(seen.unknown_resources, [
      '0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d01',
      '0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d02',
      'disk-0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d01',
    ]);
    assert.equal(seen.updated_host, 'compute-2');
    assert.deepEqual(seen.search_host, ['0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d01']);
    assert.deepEqual(seen.ended, [
      '0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d01',
      '0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d02',
    ]);
    assert.deepEqual(seen.disk_metrics, ['disk.device.read.bytes']);
    assert.equal(seen.history, 3);
    assert.deepEqual(seen.cpu, [
      ['2015-01-01T00:00:00+00:00', 300.0, 0.0],
      ['2015-01-01T00:05:00+00:00', 300.0, 50.0],
    ]);
  });
});
