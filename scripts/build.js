// Bundles the server's TypeScript into dist/ (one file per entry, dependencies left to
// node_modules), so that `orzo` starts without compiling its sources through tsx: about half the
// start time and CPU of every process (API, metricd and each worker, every CLI command).
// bin/start.js runs a bundle only while the sources it was made from are unchanged, which the
// manifest beside it records; otherwise it runs the sources.
import { readdirSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = {
  orzo: 'src/cli/main.ts',
  'measures-parse-worker': 'src/api/ingest/measures-parse-worker.ts',
};

/** Size and modification time of every file under `folder`, keyed by path from the root. */
function snapshot(folder, into = {}) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) snapshot(path, into);
    else if (entry.isFile()) {
      const { size, mtimeMs } = statSync(path);
      into[relative(ROOT, path)] = { size, mtimeMs };
    }
  }
  return into;
}

/** Writes `text` to `path` whole or not at all. */
function replace(path, text) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

// NOTE: taken before bundling, so that a source changed while the bundle is made reads as stale.
const sources = snapshot(join(ROOT, 'src'));
const dist = join(ROOT, 'dist');
mkdirSync(dist, { recursive: true });
for (const [name, entry] of Object.entries(ENTRIES)) {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    // NOTE: errors cross process boundaries and reach logs by their class names, which bundling
    // would otherwise rename where two modules' names collide.
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    outfile: join(dist, `${name}.mjs`),
    logLevel: 'warning',
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const known = sources[input];
    if (known === undefined) throw new Error(`${entry} bundles ${input}, outside src/`);
    inputs[input] = known;
  }
  // NOTE: the bundle first, its manifest last: a manifest never vouches for an older bundle.
  for (const file of result.outputFiles) replace(file.path, file.contents);
  replace(join(dist, `${name}.json`), `${JSON.stringify({ entry, inputs }, null, 1)}\n`);
}
