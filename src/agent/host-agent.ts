/**
 * `orzo agent`: samples its host every quantum into a {@link SampleQueue} and answers a poller's
 * requests over TCP (`frames.ts`, each request signed as `request-auth.ts` says):
 *
 * - `dump` → `{ok, id, host, seq, samples, dropped, queued}`: the oldest `max` samples not yet
 *   acknowledged (all of them are sent again until they are); a `quantumSeconds` in the request
 *   changes the sampling period from then on, so the poller's setting applies without a restart;
 * - `ack` with `seq` → `{ok, id, acknowledged}`: the samples up to `seq` leave the queue.
 *
 * A refused request is answered `{ok: false, error}` and its connection closed; a frame that
 * breaks the format closes its connection alone. The latest sample is also served as Prometheus
 * text on `/metrics` when a metrics port is given.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

import { listen } from '../async/listen.ts';
import type { Logger } from '../log/logger.ts';
import { encodeFrame, FrameDecoder, FrameError } from './frames.ts';
import { sampleHost, statfsSpace, type SpaceReader } from './host-sampler.ts';
import { metricsText } from './metrics-text.ts';
import type { HostFigure } from './proc-files.ts';
import { checkRequest } from './request-auth.ts';
import { SampleQueue } from './sample-queue.ts';

/** What an agent runs with. */
export interface AgentOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** The host's name, as the poller knows it. */
  readonly hostname: string;
  readonly procRoot: string;
  readonly quantumSeconds: number;
  readonly maxSamples: number;
  readonly maxBytes: number;
  readonly metricsPort?: number | undefined;
  readonly logger: Logger;
  readonly readSpace?: SpaceReader;
  readonly now?: () => number;
}

/** A running agent. */
export interface RunningAgent {
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly queue: SampleQueue;
  /** Takes a sample now (tests; the timer does it every quantum). */
  sample(): Promise<void>;
  close(): Promise<void>;
}

/** Most samples one dump carries unless the request asks fewer. */
const DEFAULT_DUMP_MAX = 1000;

/** Starts sampling and listening; rejects when a port cannot be bound. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const now = options.now ?? Date.now;
  const queue = new SampleQueue(options);
  const instance = randomUUID();
  let latest: readonly HostFigure[] = [];
  let quantumMs = options.quantumSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;

  const sample = async (): Promise<void> => {
    const time = now();
    try {
      latest = await sampleHost(options.procRoot, options.readSpace ?? statfsSpace);
      queue.push(time, latest);
    } catch (error) {
      options.logger.error({ err: error }, 'agent sample failed');
    }
  };
  const schedule = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = setInterval(() => void sample(), quantumMs);
    timer.unref();
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder();
    let lastId = -Infinity;
    socket.on('data', (chunk: Buffer) => {
      let messages;
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        options.logger.warn({ peer: socket.remoteAddress, reason: error.message }, 'bad frame');
        socket.destroy();
        return;
      }
      for (const message of messages) {
        const checked = checkRequest(options.secret, message, lastId, now());
        if ('refusal' in checked) {
          options.logger.warn(
            { peer: socket.remoteAddress, reason: checked.refusal },
            'agent request refused',
          );
          socket.end(encodeFrame({ ok: false, error: checked.refusal }));
          return;
        }
        const { request } = checked;
        lastId = request.id;
        if (request.op === 'ack') {
          const acknowledged = queue.acknowledge(request.seq ?? 0);
          socket.write(encodeFrame({ ok: true, id: request.id, acknowledged }));
          continue;
        }
        const wanted = request.quantumSeconds;
        if (wanted !== undefined && wanted > 0 && wanted * 1000 !== quantumMs) {
          quantumMs = wanted * 1000;
          schedule();
        }
        socket.write(
          encodeFrame({
            ok: true,
            id: request.id,
            host: options.hostname,
            instance,
            quantumSeconds: quantumMs / 1000,
            samples: queue.pending(request.max ?? DEFAULT_DUMP_MAX),
            queued: queue.length,
            dropped: queue.dropped,
          }),
        );
      }
    });
  });
  const port = await listen(server, options.host, options.port);

  let metrics: HttpServer | undefined;
  let metricsPort: number | undefined;
  if (options.metricsPort !== undefined) {
    metrics = createHttpServer((request, response) => {
      if ((request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 404, description: 'only /metrics' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(metricsText(latest));
    });
    metricsPort = await listen(metrics, options.host, options.metricsPort);
  }

  await sample();
  schedule();
  options.logger.info(
    { host: options.host, port, quantumSeconds: options.quantumSeconds },
    'agent listening',
  );
  return {
    port,
    metricsPort,
    queue,
    sample,
    close: async () => {
      if (timer !== undefined) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      const http = metrics;
      if (http !== undefined) {
        http.closeAllConnections();
        await new Promise((resolve) => http.close(resolve));
      }
    },
  };
}
