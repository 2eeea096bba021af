/**
 * The statsd listener: datagrams of statsd messages over UDP, gathered in {@link StatsdBuckets}
 * and flushed every `flushSeconds` as measures of one resource, as gnocchi-statsd does.
 *
 * A datagram may hold several messages, one per line; a malformed one is logged (rate-limited)
 * and counted, and the others of its datagram are kept. statsd is UDP: what the kernel drops
 * under load never arrives, and what was gathered since the last flush is lost if the process
 * dies; a stop (SIGTERM) flushes first. A flush that fails is kept for the next one.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

import { bindDatagram } from '../../async/listen.ts';
import type { StatsdConfig } from '../../config/index.ts';
import { StatsdMessageError, parseStatsdMessage } from '../../grammar/statsd-message.ts';
import { dateToMicros } from '../../grammar/index.ts';
import { RECEIVE_BUFFER_BYTES, type FeederDeps, type RunningFeeder } from './feeder-deps.ts';
import { FeederFigures } from './feeder-figures.ts';
import { countMeasures, FeederWriter, type FeederTarget } from './feeder-writer.ts';
import { ReportLimiter } from './report-limiter.ts';
import { StatsdBuckets } from './statsd-buckets.ts';

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
  await bindDatagram(socket, settings.host, settings.port);

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
        figures.dropped('refused', countMeasures(series));
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
