import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { listFolderSync, pathExists } from '../../src/fs/fs-helpers.ts';

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

  it('lists a folder synchronously, and a missing one as empty', () => {
    mkdirSync(join(root, 'listed'));
    writeFileSync(join(root, 'listed', 'b'), '');
    writeFileSync(join(root, 'listed', 'a'), '');
    assert.deepEqual(listFolderSync(join(root, 'listed')).sort(), ['a', 'b']);
    assert.deepEqual(listFolderSync(join(root, 'gone')), []);
  });
});
