import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { FileSystemFlushUnavailableError, FileSystemSync } from '../../src/fs/file-system-sync.ts';

describe('FileSystemSync', () => {
  const folder = mkdtempSync(join(tmpdir(), 'orzo-fs-sync-'));
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs sync -f through one shell, many times and at once', async () => {
    const sync = new FileSystemSync();
    try {
      await sync.sync(folder);
      await Promise.all([sync.sync(folder), sync.sync(folder), sync.sync(tmpdir())]);
    } finally {
      sync.close();
    }
  });

  it('fails a sync of a folder that does not exist, with what sync said, and goes on', async () => {
    const sync = new FileSystemSync();
    try {
      await assert.rejects(sync.sync(join(folder, 'missing')), (error: Error) => {
        assert.ok(!(error instanceof FileSystemFlushUnavailableError));
        assert.match(error.message, /missing/);
        return true;
      });
      await sync.sync(folder);
    } finally {
      sync.close();
    }
  });

  it('says it is unavailable where the program cannot run or has no -f', async () => {
    const missing = new FileSystemSync(join(folder, 'no-such-sync'));
    await assert.rejects(missing.sync(folder), FileSystemFlushUnavailableError);
    missing.close();

    const noF = join(folder, 'old-sync');
    writeFileSync(noF, '#!/bin/sh\necho "sync: invalid option -- \'f\'" >&2\nexit 1\n');
    chmodSync(noF, 0o755);
    const old = new FileSystemSync(noF);
    await assert.rejects(old.sync(folder), FileSystemFlushUnavailableError);
    old.close();
  });

  it('starts its shell again after it died', async () => {
    const sync = new FileSystemSync();
    try {
      await sync.sync(folder);
      // NOTE: a sync that kills the shell running it, as an out-of-memory kill would.
      const deadly = join(folder, 'deadly-sync');
      writeFileSync(deadly, '#!/bin/sh\nkill -9 $PPID\n');
      chmodSync(deadly, 0o755);
      const dying = new FileSystemSync(deadly);
      await assert.rejects(dying.sync(folder), /shell ended/);
      await assert.rejects(dying.sync(folder), /shell ended/);
      dying.close();
      await sync.sync(folder);
    } finally {
      sync.close();
    }
  });

  it('refuses after close', async () => {
    const sync = new FileSystemSync();
    sync.close();
    await assert.rejects(sync.sync(folder), /closed/);
  });
});
