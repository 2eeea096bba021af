/**
 * `npm run bench:aggregates`: latency and allocation of cross-metric aggregation.
 *
 * Data: 1,000 generic resources in 10 projects, each with a metric `cpu` holding one day at 60 s
 * (1,440 points, policy 60 s × 1,440, mean), folded by the storage service as metricd would, on
 * the embedded default (SQLite indexer, file storage). The API runs in this process and listens
 * on loopback; queries go through HTTP one at a time.
 *
 * Queries: `(aggregate mean (metric …))` over 10 and over 100 metrics; a resource-mode
 * `(aggregate mean (metric cpu mean))` grouped by project over all 1,000 resources; a
 * `(rolling mean 10 (metric …))` over 100 metrics. Each: p50/p99 over `--queries` runs (default
 * 200) after `--warmup` (default 20), and bytes allocated per query (heap and typed-array stores,
 * measured around single queries with the young generation large enough that no collection runs
 * inside one). Also the evaluation alone (carbonara's `crossAggregate`) on 100 × 1,440 in memory,
 * and the writing of 36,000 triples (a single metric's read of 10 s points over 100 hours).
 * Prints one JSON object.
 */
import { parseArgs } from 'node:util';

import { crossAggregate, seriesOf, type CrossOperation } from '../src/carbonara/index.ts';
import { renderMeasuresJson } from '../src/api/views/measures-json.ts';
import { ADMIN, startApi } from '../test/api/harness.ts';
import { store } from '../test/api/aggregates-support.ts';

const { values: flags } = parseArgs({
  options: {
    queries: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
  },
});
const QUERIES = Number(flags.queries);
const WARMUP = Number(flags.warmup);
const RESOURCES = 1000;
const POINTS = 1440;
const DAY_START = Date.parse('2026-01-01T00:00:00Z');

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench:aggregates does)');

const api = await startApi({ api: { maxLimit: 1000 } });
const base = `http://127.0.0.1:${await listen()}`;

async function listen(): Promise<number> {
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function request(path: string, body: unknown, expected = 200): Promise<string> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

async function prepare(): Promise<string[]> {
  const policy = {
    name: 'day',
    aggregation_methods: ['mean'],
    definition: [{ granularity: 60, points: POINTS }],
  };
  await request('/v1/archive_policy', policy, 201);
  const ids: string[] = [];
  for (let r = 0; r < RESOURCES; r++) {
    const response = await fetch(`${base}/v1/resource/generic`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: `host-${r}`,
        project_id: `10000000-0000-4000-8000-0000000000${String(r % 10).padStart(2, '0')}`,
        metrics: { cpu: { archive_policy_name: 'day' } },
      }),
    });
    const created = (await response.json()) as { metrics: { cpu: string } };
    ids.push(created.metrics.cpu);
    const measures = Array.from({ length: POINTS }, (_, i): [string, number] => [
      new Date(DAY_START + i * 60_000).toISOString().slice(0, 19),
      50 + 40 * Math.sin((i + r) / 30),
    ]);
    await store(api, created.metrics.cpu, measures);
  }
  return ids;
}

interface Figures {
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly allocated_mib_per_query: number;
  readonly answer_bytes: number;
}

function allocatedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function measure(run: () => unknown): Promise<Figures> {
  let size = 0;
  for (let i = 0; i < WARMUP; i++) size = String(await run()).length;
  const latencies = new Float64Array(QUERIES);
  for (let i = 0; i < QUERIES; i++) {
    const started = performance.now();
    await run();
    latencies[i] = performance.now() - started;
  }
  const allocations: number[] = [];
  for (let i = 0; i < 10; i++) {
    gc?.();
    const before = allocatedBytes();
    await run();
    allocations.push(allocatedBytes() - before);
  }
  latencies.sort();
  allocations.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.floor(q * (QUERIES - 1))] as number) * 1000) / 1000;
  return {
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    allocated_mib_per_query: Math.round(((allocations[5] as number) / 2 ** 20) * 100) / 100,
    answer_bytes: size,
  };
}

const metricOps = (ids: readonly string[]) => ['metric', ...ids.map((id) => [id, 'mean'])];

const prepareStarted = performance.now();
const ids = await prepare();
const prepareSeconds = Math.round((performance.now() - prepareStarted) / 100) / 10;

const evaluationOnly = (() => {
  const series = Array.from({ length: 100 }, (_, r) =>
    seriesOf(
      Array.from({ length: POINTS }, (_, i) => (DAY_START + i * 60_000) * 1000),
      Array.from({ length: POINTS }, (_, i) => 50 + 40 * Math.sin((i + r) / 30)),
    ),
  );
  const keys = series.map((_, r): [string, string] => [`m${r}`, 'mean']);
  const operation: CrossOperation = {
    kind: 'aggregate',
    method: { base: 'mean', rate: false },
    operand: { kind: 'metric', references: keys },
  };
  return () =>
    crossAggregate(operation, [{ granularity: 60_000_000, series }], {
      keys,
      fill: 'dropna',
      neededOverlap: 0,
    }).groups.length;
})();

const renderOnly = (() => {
  const timestamps = Array.from({ length: 36_000 }, (_, i) => (DAY_START + i * 10_000) * 1000);
  const group = { granularity: 10_000_000, ...seriesOf(timestamps, timestamps.map(Math.sqrt)) };
  return () => renderMeasuresJson([group]).length;
})();

const figures = {
  node: process.version,
  resources: RESOURCES,
  points_per_metric: POINTS,
  queries: QUERIES,
  prepare_s: prepareSeconds,
  aggregate_mean_10_metrics: await measure(() =>
    request('/v1/aggregates', { operations: ['aggregate', 'mean', metricOps(ids.slice(0, 10))] }),
  ),
  aggregate_mean_100_metrics: await measure(() =>
    request('/v1/aggregates', { operations: ['aggregate', 'mean', metricOps(ids.slice(0, 100))] }),
  ),
  resource_groupby_1000_resources: await measure(() =>
    request('/v1/aggregates?groupby=project_id', {
      resource_type: 'generic',
      search: {},
      operations: '(aggregate mean (metric cpu mean))',
    }),
  ),
  rolling_mean_100_metrics: await measure(() =>
    request('/v1/aggregates', {
      operations: ['rolling', 'mean', 10, metricOps(ids.slice(0, 100))],
    }),
  ),
  evaluation_only_100x1440: await measure(evaluationOnly),
  render_36000_points: await measure(renderOnly),
};
console.log(JSON.stringify(figures, null, 2));
await api.close();
