// Starts a program of the package: its bundle in dist/ (made by `npm run build`) while that is
// current, else its TypeScript sources through tsx's loader. ORZO_FROM_SOURCES=1 forces the
// sources. A bundle's stack traces name dist/ lines; NODE_OPTIONS=--enable-source-maps maps them
// back to the sources, for about 0.1 s more at every start.
import { readFileSync, statSync } from 'node:fs';
import { URL } from 'node:url';
import process from 'node:process';

/** Whether dist/<name>.mjs was made from the sources as they are now. */
function isCurrent(name) {
  if (process.env.ORZO_FROM_SOURCES === '1') return false;
  try {
    const manifest = JSON.parse(
      readFileSync(new URL(`../dist/${name}.json`, import.meta.url), 'utf8'),
    );
    for (const [path, { size, mtimeMs }] of Object.entries(manifest.inputs)) {
      const now = statSync(new URL(`../${path}`, import.meta.url));
      if (now.size !== size || now.mtimeMs !== mtimeMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Runs program `name`, whose sources start at `source` (a path from the package root). */
export async function start(name, source) {
  if (isCurrent(name)) {
    await import(new URL(`../dist/${name}.mjs`, import.meta.url).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL(`../${source}`, import.meta.url).href);
}
