/**
 * `GET /console/` and its assets: the web console (`src/console`), served by the API process
 * itself so that `npm start` is all it takes; nothing is fetched from elsewhere at run time.
 *
 * The browser code is TypeScript bundled by esbuild (with uPlot and the stylesheets) the first
 * time a page asks for it, in memory, in a few tens of milliseconds: no build step to forget, no
 * stale bundle, and processes that never serve the console never pay for it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { build } from 'esbuild';

import type { PolicyRule } from '../auth/policies.ts';
import { CONSOLE_SESSION_ROUTE } from '../engine-plugin.ts';
import { applicationUrlOf } from '../http/request-urls.ts';
import { ERROR_RESPONSES } from '../views/schemas.ts';
import { packagePath } from '../../fs/package-root.ts';

const ENTRY = packagePath('src', 'console', 'main.ts');
const UPLOT_LICENSE = createRequire(packagePath('package.json')).resolve('uplot/LICENSE');

/** One served file. */
interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The console's assets by name. */
type Assets = ReadonlyMap<string, Asset>;

/**
 * The page may run only its own script and style and talk only to its own origin; it may not be
 * framed (clickjacking of the configuration form).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** The rules of the console's pages that need more than a user: it shows only those passed. */
const PAGE_RULES: readonly PolicyRule[] = [
  'get status',
  'get ops',
  'get subhealth',
  'update subhealth',
];

const SESSION_JSON = Type.Object({
  user: Type.String(),
  rules: Type.Record(Type.String(), Type.Boolean()),
});

/** Bundles the console: `app.js` and `app.css`. */
export async function bundleConsole(): Promise<Assets> {
  const result = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    // NOTE: uPlot's notice is not a legal comment esbuild keeps, and its MIT license asks that
    // copies carry it.
    footer: { js: `/*! uPlot\n${await readFile(UPLOT_LICENSE, 'utf8')}*/` },
    legalComments: 'eof',
    write: false,
    outdir: '/console',
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const type = name.endsWith('.css')
      ? 'text/css; charset=utf-8'
      : 'text/javascript; charset=utf-8';
    assets.set(name, asset(Buffer.from(file.contents), type));
  }
  return assets;
}

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** The page: the auth mode tells the sign-in form which credentials to ask for. */
function indexPage(authMode: string): Asset {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="orzo-auth" content="${authMode}">
<title>Orzo console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
  return asset(Buffer.from(html), 'text/html; charset=utf-8');
}

function send(request: FastifyRequest, reply: FastifyReply, file: Asset): FastifyReply {
  void reply
    .headers(SECURITY_HEADERS)
    .header('cache-control', 'no-cache')
    .header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/** The console routes. */
export const consoleRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const page = indexPage(app.engine.config.api.auth);
  let bundle: Promise<Assets> | undefined;
  const assets = (): Promise<Assets> => {
    bundle ??= bundleConsole().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    return bundle;
  };
  const config = { negotiate: false };

  // NOTE: the router ignores trailing slashes, so this also answers `/console`, which is sent to
  // `/console/` so that the page's relative asset and API addresses resolve.
  app.get('/console/', { config }, (request, reply) => {
    if (!(request.url.split('?', 1)[0] ?? '').endsWith('/')) {
      return reply.redirect(`${applicationUrlOf(request)}/console/`, 302);
    }
    return send(request, reply, page);
  });

  // NOTE: the sign-in asks who the credentials are and which pages they open, so that it never
  // has to try an admin read and be refused (which the browser would log as an error).
  app.get(
    CONSOLE_SESSION_ROUTE,
    { schema: { response: { 200: SESSION_JSON, ...ERROR_RESPONSES } } },
    (request) => ({
      user: request.auth.currentUser(),
      rules: Object.fromEntries(PAGE_RULES.map((rule) => [rule, request.auth.allows(rule)])),
    }),
  );

  app.get(
    '/console/:asset',
    { config, schema: { params: Type.Object({ asset: Type.String() }) } },
    async (request, reply) => {
      const file = (await assets()).get(request.params.asset);
      if (file === undefined) {
        reply.callNotFound();
        return reply;
      }
      return send(request, reply, file);
    },
  );

  done();
};
