/**
 * `npm run bench:protocols`: samples accepted per second through the protocol endpoints, against
 * Orzo's own JSON path carrying the same samples, on `orzo api` in its own process (the embedded
 * default: SQLite, file incoming with every 202 flushed), 8 concurrent clients:
 *
 * - InfluxDB line protocol, 5,000 lines a request (`cpu,host=h<i> f<j>=<v> <ns>`: 50 hosts × 20
 *   fields, 5 timestamps each), against `POST /v1/batch/resources/metrics/measures` with the
 *   same 5,000 measures by resource and metric name;
 * - Prometheus remote write, 2,000 series × 1 sample a request (100 instances × 20 names),
 *   against the same JSON path with those 2,000 measures.
 *
 * A first request of each kind makes the resources and metrics, untimed; then `--requests` are
 * timed. Then the listeners, each `orzo statsd` / `orzo graphite` in its own process on the same
 * data folder:
 *
 * - statsd: counter messages (1,000 names), one per datagram, paced at each of `--statsd-rates`
 *   for 3 s; received ÷ sent gives the loss rate at that rate;
 * - Graphite: `--graphite-lines` lines (50 resources × 20 metrics) over 8 TCP connections as
 *   fast as they drain; lines/s until every line is stored in incoming.
 *
 * Prints one JSON object: samples/s, request p50/p99, each HTTP protocol's cost per sample
 * relative to the JSON path (its samples/s ÷ the protocol's), and the listeners' figures.
 *
 * Options: `--requests 200` `--concurrency 8` `--statsd-rates 20000,50000,100000,200000`
 * `--graphite-lines 1000000`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import snappy from 'snappy';

import { WRITE_REQUEST } from '../src/api/ingest/remote-write-body.ts';

import { freePort, launchListener, startOrzo } from '../test/support/orzo-process.ts';
import { ADMIN, JSON_HEADERS } from './bench-workload.ts';
import { runLoad, type LoadFigures, type LoadRequest } from './http-load.ts';
import { listenerCounter, sendGraphiteLines, sendStatsdAtRate } from './listener-load.ts';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    'statsd-rates': { type: 'string', default: '20000,50000,100000,200000' },
    'graphite-lines': { type: 'string', default: '1000000' },
  },
});
const STATSD_RATES = flags['statsd-rates'].split(',').map(Number);
const GRAPHITE_LINES = Number(flags['graphite-lines']);
const REQUESTS = Number(flags.requests);
const CONCURRENCY = Number(flags.concurrency);
const T0_S = 1_767_225_600;

/** The `round`-th InfluxDB body: 5,000 lines, each of the 1,000 series 5 times. */
function influxBody(round: number): string {
  const lines: string[] = [];
  for (let step = 0; step < 5; step++) {
    const ns = BigInt(T0_S + (round * 5 + step) * 10) * 1_000_000_000n;
    for (let host = 0; host < 50; host++) {
      for (let field = 0; field < 20; field++) {
        lines.push(
          `cpu,host=h${String(host)} f${String(field)}=${String(step + field / 10)} ${String(ns)}`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** The `round`-th remote-write body: 2,000 series of one sample. */
function remoteBody(round: number): Buffer {
  const timeseries = [];
  for (let instance = 0; instance < 100; instance++) {
    for (let name = 0; name < 20; name++) {
      timeseries.push({
        labels: [
          { name: '__name__', value: `m${String(name)}` },
          { name: 'job', value: 'bench' },
          { name: 'instance', value: `i${String(instance)}` },
        ],
        samples: [{ value: round + name, timestamp: (T0_S + round * 10) * 1000 }],
      });
    }
  }
  return snappy.compressSync(Buffer.from(WRITE_REQUEST.encode({ timeseries }).finish()));
}

/** The same measures as JSON by resource and metric name, on resources `<prefix><i>`. */
function jsonBody(
  prefix: string,
  resources: number,
  metrics: number,
  steps: number,
  round: number,
): string {
  const body: Record<string, Record<string, { timestamp: number; value: number }[]>> = {};
  for (let resource = 0; resource < resources; resource++) {
    const named: Record<string, { timestamp: number; value: number }[]> = {};
    for (let metric = 0; metric < metrics; metric++) {
      named[`m${String(metric)}`] = Array.from({ length: steps }, (_, step) => ({
        timestamp: T0_S + (round * steps + step) * 10,
        value: step + metric / 10,
      }));
    }
    body[`${prefix}${String(resource)}`] = named;
  }
  return JSON.stringify(body);
}

const orzo = await startOrzo('api');
try {
  const post = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${orzo.url}${path}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${path}: ${String(response.status)} ${await response.text()}`);
  };
  await post('/v1/influxdb/query?q=create+database+bench', undefined);
  for (const [prefix, count] of [
    ['j', 50],
    ['k', 100],
  ] as const) {
    for (let index = 0; index < count; index++) {
      await post('/v1/resource/generic', { id: `${prefix}${String(index)}` });
    }
  }

  const cases: {
    name: string;
    samples: number;
    expect: number;
    request: (round: number) => LoadRequest;
  }[] = [
    {
      name: 'influxdb line protocol, 5,000 lines',
      samples: 5000,
      expect: 204,
      request: (round) => ({
        method: 'POST',
        path: '/v1/influxdb/write?db=bench',
        body: influxBody(round),
        headers: { ...ADMIN, 'content-type': 'text/plain' },
      }),
    },
    {
      name: 'json by resource, the same 5,000',
      samples: 5000,
      expect: 202,
      request: (round) => ({
        method: 'POST',
        path: '/v1/batch/resources/metrics/measures?create_metrics=true',
        body: jsonBody('j', 50, 20, 5, round),
        headers: JSON_HEADERS,
      }),
    },
    {
      name: 'prometheus remote write, 2,000 series',
      samples: 2000,
      expect: 202,
      request: (round) => ({
        method: 'POST',
        path: '/v1/prometheus/write',
        body: remoteBody(round),
        headers: {
          ...ADMIN,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
        },
      }),
    },
    {
      name: 'json by resource, the same 2,000',
      samples: 2000,
      expect: 202,
      request: (round) => ({
        method: 'POST',
        path: '/v1/batch/resources/metrics/measures?create_metrics=true',
        body: jsonBody('k', 100, 20, 1, round),
        headers: JSON_HEADERS,
      }),
    },
  ];

  const results: (LoadFigures & { name: string; samples_per_s: number })[] = [];
  for (const { name, samples, expect, request } of cases) {
    // NOTE: untimed: the first request makes the resources and metrics.
    await runLoad({
      baseUrl: orzo.url,
      total: 1,
      concurrency: 1,
      expectStatus: expect,
      next: () => request(0),
    });
    const bodies = Array.from({ length: REQUESTS }, (_, index) => request(index + 1));
    const figures = await runLoad({
      baseUrl: orzo.url,
      total: REQUESTS,
      concurrency: CONCURRENCY,
      expectStatus: expect,
      next: (index) => bodies[index] as LoadRequest,
    });
    results.push({
      name,
      ...figures,
      samples_per_s: Math.round((samples * figures.requests) / figures.seconds),
    });
  }
  const statsd = await benchStatsd(orzo.dataDir);
  const graphite = await benchGraphite(orzo.dataDir);
  const ratio = (protocol: number, json: number): number =>
    Math.round(
      ((results[json]?.samples_per_s ?? 0) / (results[protocol]?.samples_per_s ?? 1)) * 100,
    ) / 100;
  console.log(
    JSON.stringify(
      {
        node: process.version,
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        results,
        cost_per_sample_vs_json: {
          influxdb: ratio(0, 1),
          prometheus_remote_write: ratio(2, 3),
        },
        statsd,
        graphite,
      },
      null,
      2,
    ),
  );
} finally {
  await orzo.stop();
}

/** statsd at each paced rate: sent, received, loss, and measures stored by the flushes. */
async function benchStatsd(dataDir: string): Promise<unknown[]> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const listener = await launchListener('statsd', {
    dataDir,
    env: {
      ORZO_STATSD_PORT: String(port),
      ORZO_STATSD_METRICS_PORT: String(metricsPort),
      ORZO_STATSD_RESOURCE_ID: 'bench-statsd',
      ORZO_STATSD_FLUSH_SECONDS: '1',
    },
  });
  const metricsUrl = `http://127.0.0.1:${String(metricsPort)}/metrics`;
  const rows = [];
  try {
    // NOTE: untimed: the first flush makes the 1,000 metrics.
    await sendStatsdAtRate(port, 10_000, 0.2, 1000);
    await sleep(2500);
    for (const rate of STATSD_RATES) {
      const before = await listenerCounter(metricsUrl, 'orzo_feeder_messages_total', 'statsd');
      const sent = await sendStatsdAtRate(port, rate, 3, 1000);
      await sleep(1500);
      const received =
        (await listenerCounter(metricsUrl, 'orzo_feeder_messages_total', 'statsd')) - before;
      rows.push({
        offered_per_s: rate,
        sent,
        received,
        received_per_s: Math.round(received / 3),
        loss: Math.round((1 - received / sent) * 10_000) / 10_000,
      });
    }
    rows.push({
      measures_stored: await listenerCounter(metricsUrl, 'orzo_feeder_measures_stored_total', ''),
    });
  } finally {
    await listener.stop();
  }
  return rows;
}

/** Graphite over TCP: lines/s received, and until every line is stored in incoming. */
async function benchGraphite(dataDir: string): Promise<unknown> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const listener = await launchListener('graphite', {
    dataDir,
    env: { ORZO_GRAPHITE_PORT: String(port), ORZO_GRAPHITE_METRICS_PORT: String(metricsPort) },
  });
  const metricsUrl = `http://127.0.0.1:${String(metricsPort)}/metrics`;
  const stored = () => listenerCounter(metricsUrl, 'orzo_feeder_measures_stored_total', '');
  try {
    // NOTE: untimed: the first flush makes the 50 resources and their 1,000 metrics.
    await sendGraphiteLines(port, 1000, 1, 50, 20, T0_S - 100_000);
    while ((await stored()) < 1000) await sleep(100);
    const start = performance.now();
    await sendGraphiteLines(port, GRAPHITE_LINES, 8, 50, 20, T0_S);
    const sentSeconds = (performance.now() - start) / 1000;
    while ((await stored()) < GRAPHITE_LINES + 1000) await sleep(20);
    const storedSeconds = (performance.now() - start) / 1000;
    return {
      lines: GRAPHITE_LINES,
      connections: 8,
      sent_seconds: Math.round(sentSeconds * 100) / 100,
      received_per_s: Math.round(GRAPHITE_LINES / sentSeconds),
      stored_per_s: Math.round(GRAPHITE_LINES / storedSeconds),
    };
  } finally {
    await listener.stop();
  }
}
