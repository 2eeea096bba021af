import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { FileSystemFlushUnavailableError } from '../../src/fs/file-system-sync.ts';
import { GroupFlush } from '../../src/fs/group-flush.ts';

/** A file-system flush the test finishes by hand, counting the calls. */
class HeldFlush {
  calls = 0;
  readonly #releases: ((error?: Error) => void)[] = [];

  readonly run = (): Promise<void> => {
    this.calls++;
    return new Promise((resolve, reject) => {
      this.#releases.push((error) => {
        if (error === undefined) resolve();
        else reject(error);
      });
    });
  };

  /** Ends the oldest running flush, and lets its waiters see it. */
  async release(error?: Error): Promise<void> {
    const release = this.#releases.shift();
    assert.ok(release, 'no flush is running');
    release(error);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('GroupFlush', () => {
  const folder = mkdtempSync(join(tmpdir(), 'orzo-group-flush-'));
  const files = Array.from({ length: 40 }, (_, i) => {
    const path = join(folder, `f${String(i)}`);
    writeFileSync(path, 'x');
    return path;
  });
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('flushes small groups path by path, and a vanished path has nothing to flush', async () => {
    const held = new HeldFlush();
    const flush = new GroupFlush({ root: folder, perPathUpTo: 4, syncFileSystem: held.run });
    await flush.flush([...files.slice(0, 3), join(folder, 'gone')]);
    assert.equal(held.calls, 0);
    assert.deepEqual(flush.figures, {
      requests: 1,
      groups: 1,
      fileSystemFlushes: 0,
      pathFlushes: 4,
    });
  });

  it('lets every flush asked for while one runs share the next one', async () => {
    const held = new HeldFlush();
    const flush = new GroupFlush({ root: folder, perPathUpTo: 4, syncFileSystem: held.run });
    const done: number[] = [];
    const first = flush.flush(files.slice(0, 10)).then(() => done.push(0));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(held.calls, 1);
    // NOTE: these come after the running flush began, so it cannot cover them.
    const later = [1, 2, 3].map((n) =>
      flush.flush(files.slice(10 * n, 10 * n + 10)).then(() => done.push(n)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(held.calls, 1, 'nothing more until the running flush ends');
    await held.release();
    assert.deepEqual(done, [0]);
    assert.equal(held.calls, 2, 'one flush for the three that waited');
    await held.release();
    await Promise.all([first, ...later]);
    assert.deepEqual(done, [0, 1, 2, 3]);
    assert.deepEqual(flush.figures, {
      requests: 4,
      groups: 2,
      fileSystemFlushes: 2,
      pathFlushes: 0,
    });
  });

  it('fails every waiter of a failed group, and the next group still runs', async () => {
    const held = new HeldFlush();
    const flush = new GroupFlush({ root: folder, perPathUpTo: 1, syncFileSystem: held.run });
    const failing = assert.rejects(flush.flush(files.slice(0, 2)), /EIO/);
    await new Promise((resolve) => setImmediate(resolve));
    await held.release(new Error('EIO'));
    await failing;
    const next = flush.flush(files.slice(0, 2));
    await new Promise((resolve) => setImmediate(resolve));
    await held.release();
    await next;
  });

  it('goes path by path for good once the file system cannot be flushed whole', async () => {
    let calls = 0;
    const flush = new GroupFlush({
      root: folder,
      perPathUpTo: 1,
      syncFileSystem: () => {
        calls++;
        return Promise.reject(new FileSystemFlushUnavailableError('no sync -f here'));
      },
    });
    await flush.flush(files.slice(0, 5));
    await flush.flush(files.slice(5, 10));
    assert.equal(calls, 1);
    assert.equal(flush.figures.pathFlushes, 10);
  });

  it('flushes a large group with the real sync -f', async () => {
    const flush = new GroupFlush({ root: folder, perPathUpTo: 4 });
    try {
      await Promise.all([flush.flush(files.slice(0, 20)), flush.flush(files.slice(20))]);
      assert.ok(flush.figures.fileSystemFlushes >= 1);
      assert.equal(flush.figures.pathFlushes, 0);
    } finally {
      flush.close();
    }
  });
});
