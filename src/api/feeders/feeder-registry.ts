/**
 * The figures of a listener running on its own (`orzo statsd`, `orzo graphite`): a registry with
 * the process's figures, and a small HTTP endpoint serving it as `/metrics` (no second framework:
 * one path, read-only, unauthenticated as the API's `/metrics` is).
 */
import { createServer } from 'node:http';

import { collectDefaultMetrics, Registry } from 'prom-client';

import { listen } from '../../async/listen.ts';

/**
 * A registry for the listeners of a process; with `processFigures`, also its Node.js and process
 * figures (left out beside the API, whose `/metrics` has them already).
 */
export function createFeederRegistry(options: { readonly processFigures: boolean }): Registry {
  const registry = new Registry();
  if (options.processFigures) collectDefaultMetrics({ register: registry, prefix: 'orzo_' });
  return registry;
}

/** Serves `GET /metrics` of `registry`; resolves to what stops it. */
export async function serveFeederMetrics(
  registry: Registry,
  host: string,
  port: number,
): Promise<{ readonly port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 404, title: 'Not Found', description: 'only /metrics' }));
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
  });
  const bound = await listen(server, host, port);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
