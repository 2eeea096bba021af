import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import {
  flushIfPresent,
  listFolderSync,
  pathExists,
  readFileIfPresentSync,
  readFileOfSizeSync,
  readFileOfSizeIfPresentSync,
  rewriteFileSync,
} from '../../src/fs/fs-helpers.ts';

describe('fs helpers', () => {
  const root = mkdtempSync(join(tmpdir(), 'orzo-fs-helpers-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('tells a file or folder that exists from one that does not', () => {
    writeFileSync(join(root, 'file'), 'x');
    mkdirSync(join(root, 'folder'));
    assert.equal(pathExists(join(root, 'file')), true);
    assert.equal(pathExists(join(root, 'folder')), true);
    assert.equal(pathExists(join(root, 'missing')), false);
    assert.equal(pathExists(join(root, 'missing', 'deeper')), false);
  });

  it('throws, rather than answering no, when the path cannot be what it names', () => {
    writeFileSync(join(root, 'plain'), 'x');
    assert.throws(() => pathExists(join(root, 'plain', 'inside')), { code: 'ENOTDIR' });
  });

  it('flushes a file or folder that is there, passes over a missing one, and throws otherwise', async () => {
    writeFileSync(join(root, 'flushed'), 'x');
    await flushIfPresent(join(root, 'flushed'));
    await flushIfPresent(root);
    await flushIfPresent(join(root, 'never-made'));
    writeFileSync(join(root, 'not-a-folder'), 'x');
    await assert.rejects(flushIfPresent(join(root, 'not-a-folder', 'inside')), { code: 'ENOTDIR' });
  });

  it('reads a file that is there, answers a missing one with undefined, and throws otherwise', () => {
    writeFileSync(join(root, 'bytes'), Buffer.of(1, 2, 3));
    assert.deepEqual([...(readFileIfPresentSync(join(root, 'bytes')) ?? [])], [1, 2, 3]);
    assert.equal(readFileIfPresentSync(join(root, 'absent')), undefined);
    mkdirSync(join(root, 'a-folder'));
    assert.throws(() => readFileIfPresentSync(join(root, 'a-folder')), { code: 'EISDIR' });
  });

  it('reads a whole file whatever the size it was expected to hold', () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    writeFileSync(join(root, 'sized'), bytes);
    writeFileSync(join(root, 'empty'), '');
    // NOTE: the size expected, less (to the end in several reads) and more (a short read).
    for (const expected of [10_000, 0, 1, 9_999, 10_001, 1_000_000]) {
      assert.deepEqual(readFileOfSizeSync(join(root, 'sized'), expected), bytes, `${expected}`);
    }
    assert.equal(readFileOfSizeSync(join(root, 'empty'), 0).length, 0);
    assert.equal(readFileOfSizeSync(join(root, 'empty'), 16).length, 0);
    assert.throws(() => readFileOfSizeSync(join(root, 'absent'), 1), { code: 'ENOENT' });
    assert.equal(readFileOfSizeIfPresentSync(join(root, 'absent'), 1), undefined);
    assert.equal(readFileOfSizeIfPresentSync(join(root, 'empty'), 0)?.length, 0);
  });

  it('rewrites a file in place, cut to the new length, and leaves a missing one missing', () => {
    writeFileSync(join(root, 'rewritten'), Buffer.of(9, 9, 9, 9, 9));
    assert.equal(rewriteFileSync(join(root, 'rewritten'), Uint8Array.of(1, 2)), true);
    assert.deepEqual([...(readFileIfPresentSync(join(root, 'rewritten')) ?? [])], [1, 2]);
    assert.equal(rewriteFileSync(join(root, 'never'), Uint8Array.of(1)), false);
    assert.equal(pathExists(join(root, 'never')), false);
  });

  it('cuts a file rewritten in place only where its known size is longer than the new bytes', () => {
    const path = join(root, 'sized');
    const bytes = () => [...(readFileIfPresentSync(path) ?? [])];
    writeFileSync(path, Buffer.of(9, 9, 9, 9, 9));
    assert.equal(rewriteFileSync(path, Uint8Array.of(1, 2), 5), true);
    assert.deepEqual(bytes(), [1, 2]);
    assert.equal(rewriteFileSync(path, Uint8Array.of(3, 4, 5), 2), true);
    assert.deepEqual(bytes(), [3, 4, 5]);
    // NOTE: a size the caller claims wrongly shows that no cut was made.
    writeFileSync(path, Buffer.of(9, 9, 9, 9, 9));
    assert.equal(rewriteFileSync(path, Uint8Array.of(1, 2), 2), true);
    assert.deepEqual(bytes(), [1, 2, 9, 9, 9]);
  });

  it('lists a folder synchronously, and a missing one as empty', () => {
    mkdirSync(join(root, 'listed'));
    writeFileSync(join(root, 'listed', 'b'), '');
    writeFileSync(join(root, 'listed', 'a'), '');
    assert.deepEqual(listFolderSync(join(root, 'listed')).sort(), ['a', 'b']);
    assert.deepEqual(listFolderSync(join(root, 'gone')), []);
  });
});
