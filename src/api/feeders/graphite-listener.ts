/**
 * The Graphite plaintext listener: `path value timestamp` lines over TCP (and UDP), mapped by
 * {@link GraphitePaths} to resources and metrics and flushed every `flushSeconds` (or sooner,
 * once `maxPendingLines` wait) into incoming.
 *
 * A malformed or unmappable line is logged (rate-limited) and counted, and the other lines of
 * its connection or datagram are kept. While a full flush is under way, TCP senders are paused,
 * so a fast sender is slowed rather than lost. Lines received since the last flush are lost if
 * the process dies, as with carbon's cache; a stop (SIGTERM) flushes first.
 */
import { createSocket } from 'node:dgram';
import { createServer, isIPv6, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

import { bindDatagram, listen } from '../../async/listen.ts';
import type { GraphiteConfig } from '../../config/index.ts';
import { ConfigError } from '../../errors/config-error.ts';
import { dateToMicros } from '../../grammar/index.ts';
import { GraphiteLineError, parseGraphiteLine } from '../../grammar/graphite-line.ts';
import { FeederFigures } from './feeder-figures.ts';
import { countMeasures, FeederWriter, type FeederTarget } from './feeder-writer.ts';
import { GraphitePathError, GraphitePaths, GraphiteRuleError } from './graphite-paths.ts';
import { ReportLimiter } from './report-limiter.ts';
import { RECEIVE_BUFFER_BYTES, type FeederDeps, type RunningFeeder } from './feeder-deps.ts';

interface Series {
  timestamps: number[];
  values: number[];
}

interface PendingResource {
  readonly target: FeederTarget;
  readonly series: Map<string, Series>;
}

/** Starts the listener; rejects on a bad rule or a port in use. */
export async function startGraphiteListener(
  deps: FeederDeps,
  settings: GraphiteConfig,
): Promise<RunningFeeder> {
  const now = deps.now ?? (() => dateToMicros(new Date()));
  let paths: GraphitePaths;
  try {
    paths = new GraphitePaths(settings);
  } catch (error) {
    if (!(error instanceof GraphiteRuleError)) throw error;
    throw new ConfigError(`invalid configuration at /graphite/rules: ${error.message}`, {
      path: '/graphite/rules',
    });
  }
  const figures = new FeederFigures(deps.registry, 'graphite');
  const reports = new ReportLimiter(deps.logger);
  const writer = new FeederWriter({
    indexer: deps.indexer,
    incoming: deps.incoming,
    tracker: deps.tracker,
    kind: 'graphite_flush',
    creator: settings.creator,
    archivePolicyName: settings.archivePolicyName,
    now,
  });

  let pending = new Map<string, PendingResource>();
  let pendingLines = 0;
  const paused = new Set<Socket>();

  const accept = (line: string, transport: string): void => {
    try {
      const parsed = parseGraphiteLine(line);
      if (parsed === undefined) return;
      const { resourceType, resourceId, metric } = paths.map(parsed.path);
      const key = `${resourceType}\0${resourceId}`;
      let resource = pending.get(key);
      if (resource === undefined) {
        resource = {
          target: { type: resourceType, originalId: resourceId, attributes: {} },
          series: new Map(),
        };
        pending.set(key, resource);
      }
      let series = resource.series.get(metric);
      if (series === undefined) {
        series = { timestamps: [], values: [] };
        resource.series.set(metric, series);
      }
      series.timestamps.push(parsed.timestampUs ?? now());
      series.values.push(parsed.value);
      pendingLines++;
      figures.received(transport);
    } catch (error) {
      if (!(error instanceof GraphiteLineError || error instanceof GraphitePathError)) throw error;
      figures.malformed(transport);
      reports.warn({ line: line.slice(0, 200), reason: error.message }, 'malformed graphite line');
    }
  };

  let flushing: Promise<void> = Promise.resolve();
  const flushOnce = async (): Promise<void> => {
    const taken = pending;
    const lines = pendingLines;
    pending = new Map();
    pendingLines = 0;
    if (taken.size > 0) {
      try {
        const entries = [...taken.values()].map(({ target, series }) => [target, series] as const);
        const { measures, refused } = await writer.write(entries);
        figures.stored(measures);
        for (const { target, error } of refused) {
          const key = `${target.type}\0${target.originalId}`;
          figures.dropped('refused', countMeasures(taken.get(key)?.series ?? new Map()));
          reports.warn({ err: error, resource: target.originalId }, 'graphite resource refused');
        }
      } catch (error) {
        figures.flushFailed();
        deps.logger.error({ err: error }, 'graphite flush failed; kept for the next one');
        restore(taken, lines);
      }
    }
    for (const socket of paused) socket.resume();
    paused.clear();
  };
  const restore = (taken: Map<string, PendingResource>, lines: number): void => {
    if (pendingLines + lines > 2 * settings.maxPendingLines) {
      figures.dropped('bound', lines);
      return;
    }
    for (const [key, resource] of taken) {
      const current = pending.get(key);
      if (current === undefined) {
        pending.set(key, resource);
        continue;
      }
      for (const [metric, series] of resource.series) {
        const later = current.series.get(metric);
        current.series.set(
          metric,
          later === undefined
            ? series
            : {
                timestamps: [...series.timestamps, ...later.timestamps],
                values: [...series.values, ...later.values],
              },
        );
      }
    }
    pendingLines += lines;
  };
  const flush = (): Promise<void> => (flushing = flushing.then(flushOnce));

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let skipping = false;
    const take = (text: string, final: boolean): void => {
      let start = 0;
      for (;;) {
        const end = text.indexOf('\n', start);
        if (end < 0) break;
        if (skipping) skipping = false;
        else accept(text.slice(start, end).replace(/\r$/, ''), 'tcp');
        start = end + 1;
      }
      rest = text.slice(start);
      if (final) {
        if (!skipping && rest !== '') accept(rest.replace(/\r$/, ''), 'tcp');
        rest = '';
      } else if (Buffer.byteLength(rest) > settings.maxLineBytes) {
        if (!skipping) {
          figures.malformed('tcp');
          reports.warn(
            {
              line: rest.slice(0, 200),
              reason: `longer than ${String(settings.maxLineBytes)} bytes`,
            },
            'malformed graphite line',
          );
        }
        skipping = true;
        rest = '';
      }
    };
    socket.on('data', (chunk: Buffer) => {
      take(rest + decoder.write(chunk), false);
      if (pendingLines >= settings.maxPendingLines) {
        socket.pause();
        paused.add(socket);
        void flush();
      }
    });
    socket.on('end', () => {
      take(rest + decoder.end(), true);
      socket.end();
    });
    socket.on('error', (error) => {
      deps.logger.warn({ err: error }, 'graphite connection error');
    });
    socket.on('close', () => {
      sockets.delete(socket);
      paused.delete(socket);
    });
  });
  const port = await listen(server, settings.host, settings.port);

  const udp = settings.udp
    ? createSocket({
        type: isIPv6(settings.host) ? 'udp6' : 'udp4',
        recvBufferSize: RECEIVE_BUFFER_BYTES,
      })
    : undefined;
  if (udp !== undefined) {
    udp.on('message', (data) => {
      for (const line of data.toString('utf8').split('\n')) {
        if (Buffer.byteLength(line) > settings.maxLineBytes) {
          figures.malformed('udp');
          continue;
        }
        accept(line.replace(/\r$/, ''), 'udp');
      }
      if (pendingLines >= settings.maxPendingLines) void flush();
    });
    udp.on('error', (error) => {
      deps.logger.error({ err: error }, 'graphite UDP socket error');
    });
    try {
      await bindDatagram(udp, settings.host, port);
    } catch (error) {
      await new Promise((resolve) => server.close(resolve));
      throw error;
    }
  }

  const timer = setInterval(() => void flush(), settings.flushSeconds * 1000);
  timer.unref();
  let closing = false;
  deps.logger.info(
    { host: settings.host, port, udp: settings.udp, flushSeconds: settings.flushSeconds },
    'graphite listening',
  );
  return {
    address: { host: settings.host, port },
    flush,
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(timer);
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
      if (udp !== undefined)
        await new Promise<void>((resolve) =>
          udp.close(() => {
            resolve();
          }),
        );
      await flush();
    },
  };
}
