/**
 * bin/start.js runs a program's bundle only while the sources it was made from are unchanged,
 * and its sources otherwise; `npm run build` (scripts/build.js) makes the bundles and their
 * manifests. Checked on a copy of the loader in a package of its own, whose "bundle" and
 * "sources" say which of them ran.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

describe('bin/start.js', () => {
  let folder: string;
  const source = (): string => join(folder, 'src', 'hello.ts');
  const run = (env: Record<string, string> = {}): string => {
    const result = spawnSync(process.execPath, [join(folder, 'bin', 'hello.js')], {
      encoding: 'utf8',
      env: { ...process.env, ORZO_FROM_SOURCES: '', ...env },
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  };
  const writeManifest = (): void => {
    const { size, mtimeMs } = statSync(source());
    const manifest = { entry: 'src/hello.ts', inputs: { 'src/hello.ts': { size, mtimeMs } } };
    writeFileSync(join(folder, 'dist', 'hello.json'), JSON.stringify(manifest));
  };

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'orzo-start-'));
    for (const sub of ['bin', 'src', 'dist']) mkdirSync(join(folder, sub));
    symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'));
    writeFileSync(join(folder, 'package.json'), '{"type": "module"}');
    copyFileSync(join(ROOT, 'bin', 'start.js'), join(folder, 'bin', 'start.js'));
    writeFileSync(
      join(folder, 'bin', 'hello.js'),
      "import { start } from './start.js';\nawait start('hello', 'src/hello.ts');\n",
    );
    writeFileSync(source(), "const said: string = 'sources';\nconsole.log(said);\n");
    writeFileSync(join(folder, 'dist', 'hello.mjs'), "console.log('bundle');\n");
  });
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs the sources when there is no manifest', () => {
    assert.equal(run(), 'sources');
  });

  it('runs the bundle while its sources are as the manifest says', () => {
    writeManifest();
    assert.equal(run(), 'bundle');
    assert.equal(run({ ORZO_FROM_SOURCES: '1' }), 'sources');
  });

  it('runs the sources once one of them has changed', () => {
    writeManifest();
    writeFileSync(source(), "const said: string = 'sources';\nconsole.log(said); \n");
    assert.equal(run(), 'sources');
    writeManifest();
    assert.equal(run(), 'bundle');
  });
});

describe('npm run build', () => {
  it('records every source of the bundle as it is on disk', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    for (const name of ['orzo', 'measures-parse-worker']) {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', `${name}.json`), 'utf8')) as {
        entry: string;
        inputs: Record<string, { size: number; mtimeMs: number }>;
      };
      assert.ok(manifest.inputs[manifest.entry], `${name} lists its entry`);
      assert.ok(Object.keys(manifest.inputs).length > 1);
      for (const [path, recorded] of Object.entries(manifest.inputs)) {
        const { size, mtimeMs } = statSync(join(ROOT, path));
        assert.deepEqual({ size, mtimeMs }, recorded, path);
      }
      assert.ok(statSync(join(ROOT, 'dist', `${name}.mjs`)).size > 0);
    }
    const version = spawnSync(process.execPath, [join(ROOT, 'bin', 'orzo.js'), '--version'], {
      encoding: 'utf8',
    });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /\d+\.\d+\.\d+/);
  });
});
