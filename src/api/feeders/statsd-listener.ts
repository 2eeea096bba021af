/**
 * The statsd listener: datagrams of statsd messages over UDP, gathered in {@link StatsdBuckets}
 * and flushed every `flushSeconds` as measures of one resource, as gnocchi-statsd does.
 *
 * A datagram may hold several messages, one per line; a malformed one is logged (rate-limited)
 * and counted, and the others of its datagram are kept. statsd is UDP: what the kernel drops
 * under load never arrives, and what was gathered since the last flush is lost if the process
 * dies; a stop (SIGTERM) flushes first. A flush that fails is kept for the next one.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

import type { Registry } from 'prom-client';

import type { StatsdConfig } from '../../config/index.ts';
import { StatsdMessageError, parseStatsdMessage } from '../../grammar/statsd-message.ts';
import { dateToMicros } from '../../grammar/index.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { OpTracker } from '../../optracker/index.ts';
import { FeederFigures } from './feeder-figures.ts';
import { FeederWriter, type FeederTarget } from './feeder-writer.ts';
import { ReportLimiter } from './report-limiter.ts';
import { StatsdBuckets } from './statsd-buckets.ts';

/**
 * The socket's receive buffer: bursts wait there while a flush holds the event loop. The kernel
 * caps it at `net.core.rmem_max` (about 208 KiB unless raised); raise that to keep more.
 */
export const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/** What a listener works with. */
export interface FeederDeps {
  readonly indexer: Indexer;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly tracker: OpTracker;
  readonly logger: Logger;
  /** Where its figures are registered (the API's under `orzo serve`). */
  readonly registry: Registry;
  /** Now, in microseconds. */
  readonly now?: () => number;
}

/** A running listener. */
export interface RunningFeeder {
  /** The bound address (the port is the one the system chose for port 0). */
  readonly address: { readonly host: string; readonly port: number };
  /** Writes what is gathered now. */
  flush(): Promise<void>;
  /** Stops listening, then flushes what was gathered. */
  close(): Promise<void>;
}

/** Starts the statsd listener; rejects when the resource cannot be made or the port bound. */
export async function startStatsdListener(
  deps: FeederDeps,
  settings: StatsdConfig & { readonly resourceId: string },
): Promise<RunningFeeder> {
  const now = deps.now ?? (() => dateToMicros(new Date()));
  const figures = new FeederFigures(deps.registry, 'statsd');
  const reports = new ReportLimiter(deps.logger);
  const buckets = new StatsdBuckets({ maxSamples: settings.maxSamples });
  const writer = new FeederWriter({
    indexer: deps.indexer,
    incoming: deps.incoming,
    tracker: deps.tracker,
    kind: 'statsd_flush',
    creator: settings.creator,
    archivePolicyName: settings.archivePolicyName,
    now,
  });
  const target: FeederTarget = {
    type: settings.resourceType,
    originalId: settings.resourceId,
    attributes: {
      ...(settings.userId === undefined ? {} : { user_id: settings.userId }),
      ...(settings.projectId === undefined ? {} : { project_id: settings.projectId }),
    },
  };
  await writer.prepare(target);

  const socket = createSocket({
    type: isIPv6(settings.host) ? 'udp6' : 'udp4',
    recvBufferSize: RECEIVE_BUFFER_BYTES,
  });
  socket.on('message', (data) => {
    const text = data.toString('utf8');
    const at = now();
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end).replace(/\r$/, '');
      start = end + 1;
      if (line === '') continue;
      try {
        buckets.add(parseStatsdMessage(line), at);
        figures.received('udp');
      } catch (error) {
        if (!(error instanceof StatsdMessageError)) throw error;
        figures.malformed('udp');
        reports.warn(
          { message: line.slice(0, 200), reason: error.message },
          'malformed statsd message',
        );
      }
    }
  });
  socket.on('error', (error) => {
    deps.logger.error({ err: error }, 'statsd socket error');
  });
  await bind(socket, settings.host, settings.port);

  let dropped = 0;
  let flushing: Promise<void> = Promise.resolve();
  const flushOnce = async (): Promise<void> => {
    const series = buckets.drain(now());
    figures.dropped('bound', buckets.dropped - dropped);
    dropped = buckets.dropped;
    if (series.size === 0) return;
    try {
      const { measures, refused } = await writer.write([[target, series]]);
      figures.stored(measures);
      for (const { error } of refused) {
        figures.dropped('refused', countOf(series));
        deps.logger.error({ err: error, resourceId: settings.resourceId }, 'statsd flush refused');
      }
    } catch (error) {
      figures.flushFailed();
      buckets.restore(series);
      deps.logger.error({ err: error }, 'statsd flush failed; kept for the next one');
    }
  };
  const flush = (): Promise<void> => (flushing = flushing.then(flushOnce));
  const timer = setInterval(() => void flush(), settings.flushSeconds * 1000);
  timer.unref();
  let closing = false;
  const bound = socket.address();
  deps.logger.info(
    { host: bound.address, port: bound.port, flushSeconds: settings.flushSeconds },
    'statsd listening',
  );
  return {
    address: { host: bound.address, port: bound.port },
    flush,
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(timer);
      await new Promise<void>((resolve) =>
        socket.close(() => {
          resolve();
        }),
      );
      await flush();
    },
  };
}

function countOf(series: ReadonlyMap<string, { readonly values: readonly number[] }>): number {
  let count = 0;
  for (const { values } of series.values()) count += values.length;
  return count;
}

/** Binds a datagram socket, rejecting on an address in use. */
export function bind(socket: Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}
