/**
 * The `orzo` command as a new user meets it: help and version, unknown flags refused, a port in
 * use said in one line, and what `orzo upgrade` reports on a fresh and on an upgraded folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');

function orzo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [ORZO, ...args], {
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the orzo command line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-cli-'));
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints its help for --help after any command, without running it', () => {
    for (const args of [['--help'], ['serve', '--help'], ['upgrade', '-h']]) {
      const result = orzo(...args);
      assert.equal(result.status, 0);
      assert.match(result.stdout, /^usage: orzo <command>/);
    }
  });

  it('answers --version', () => {
    const result = orzo('--version');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^orzo \d+\.\d+\.\d+\n$/);
  });

  it('refuses an unknown flag, naming it', () => {
    const result = orzo('upgrade', '--data-dir', dataDir, '--skip-indexx');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^orzo: unknown flag --skip-indexx for 'upgrade'/);
  });

  it('says whether upgrade created the schema or found it current', () => {
    const first = orzo('upgrade', '--data-dir', dataDir);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^indexer: created the schema/m);
    const second = orzo('upgrade', '--data-dir', dataDir);
    assert.match(second.stdout, /^indexer: schema up to date/m);
  });

  it('says in one line that the port is in use, and leaves nothing running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = orzo('serve', '--data-dir', dataDir, '--port', String(port));
      assert.equal(result.status, 2);
      assert.match(
        result.stderr,
        new RegExp(`^orzo: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use\\n$`),
      );
    } finally {
      blocker.close();
    }
  });
});
