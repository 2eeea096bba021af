import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { FileStorageDriver, MeteredStorageDriver } from '../../src/storage/index.ts';
import { A, runStorageDriverSuite } from './storage-driver.suite.ts';

const base = mkdtempSync(join(tmpdir(), 'orzo-metered-'));
after(() => {
  rmSync(base, { recursive: true, force: true });
});

let folders = 0;
const fileDriver = (): FileStorageDriver =>
  new FileStorageDriver({ basePath: join(base, String(folders++)), fsync: false });

// NOTE: metering must not change what the driver does.
runStorageDriverSuite('metered file storage', () =>
  Promise.resolve({
    driver: new MeteredStorageDriver(fileDriver()),
    cleanup: () => Promise.resolve(),
  }),
);

describe('MeteredStorageDriver', () => {
  it('counts the bytes written and the time blocked, a fault delay included', async () => {
    const driver = new MeteredStorageDriver(fileDriver(), { delayMs: 40 });
    await driver.init();
    assert.deepEqual(driver.figures(), { ioWaitSeconds: 0, bytesWritten: 0 });
    await driver.updateObjects(A, {
      put: new Map([
        ['a', new Uint8Array(100)],
        ['b', new Uint8Array(28)],
      ]),
      remove: [],
    });
    await driver.readObjects(A, ['a', 'b']);
    await driver.listObjects(A);
    const { ioWaitSeconds, bytesWritten } = driver.figures();
    assert.equal(bytesWritten, 128);
    // NOTE: three calls, each held at least the 40 ms the fault adds.
    assert.ok(ioWaitSeconds >= 0.119, String(ioWaitSeconds));
    await driver.close();
  });
});
