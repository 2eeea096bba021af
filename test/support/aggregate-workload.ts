/**
 * Workloads for end-to-end tests of the whole path (POST measures → metricd → GET measures): random
 * series per metric, their posting through the batch endpoint, waiting for metricd to drain, and
 * the aggregates the naive reference expects.
 *
 * The series are built so that the result does not depend on how metricd happens to group batches
 * into passes: repeated timestamps carry the same value, and the policy's back window is wider than
 * the whole series, so no point is ever dropped. What is left to check is exactly that every
 * accepted measure is counted once.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { referenceAggregate, referenceSortMeasures, type Point } from '../carbonara/reference.ts';
import { ADMIN_AUTHORIZATION } from './measure-traffic.ts';

const MICROS = 1_000_000;

/** One item of an archive policy, in seconds. */
export interface PolicyItem {
  readonly granularity: number;
  readonly timespan: number;
}

/** An archive policy as the tests create it. */
export interface TestPolicy {
  readonly name: string;
  readonly backWindow: number;
  readonly items: readonly PolicyItem[];
  readonly methods: readonly string[];
}

/** The policy of the end-to-end tests: the 60 s item expires (1 h kept of about 3 h of data). */
export const E2E_POLICY: TestPolicy = {
  name: 'e2e',
  backWindow: 6,
  items: [
    { granularity: 60, timespan: 3_600 },
    { granularity: 300, timespan: 86_400 },
    { granularity: 3_600, timespan: 7 * 86_400 },
  ],
  methods: ['mean', 'min', 'max', 'sum', 'count', 'first', 'last', 'median', '95pct'],
};

/** One measure as posted: epoch seconds and a value. */
export interface PostedMeasure {
  readonly timestamp: number;
  readonly value: number;
}

/** Options of {@link makeSeries}. */
export interface SeriesOptions {
  readonly points: number;
  /** Epoch seconds of the first point. */
  readonly start: number;
  readonly random: () => number;
}

/**
 * A random series in posting order: steps of 1–20 s with occasional gaps, about 5% of points
 * repeated with the same value, and shuffled locally so that much arrives out of order.
 */
export function makeSeries({ points, start, random }: SeriesOptions): PostedMeasure[] {
  const series: PostedMeasure[] = [];
  let ts = start;
  for (let i = 0; i < points; i++) {
    ts += random() < 0.02 ? 600 + Math.floor(random() * 1_800) : 1 + Math.floor(random() * 20);
    const value = Math.floor(random() * 2_001) - 1_000;
    series.push({ timestamp: ts, value });
    if (random() < 0.05) series.push({ timestamp: ts, value });
  }
  for (let i = series.length - 1; i > 0; i--) {
    if (random() < 0.3) {
      const j = Math.max(0, i - 1 - Math.floor(random() * 50));
      [series[i], series[j]] = [series[j]!, series[i]!];
    }
  }
  return series;
}

/** Bodies for `POST /v1/batch/metrics/measures` of about `batchSize` measures each. */
export function batchBodies(
  series: ReadonlyMap<string, readonly PostedMeasure[]>,
  batchSize: number,
): Record<string, PostedMeasure[]>[] {
  const perMetric = Math.max(1, Math.floor(batchSize / Math.max(1, series.size)));
  const bodies: Record<string, PostedMeasure[]>[] = [];
  for (let offset = 0; ; offset += perMetric) {
    const body: Record<string, PostedMeasure[]> = {};
    for (const [metricId, measures] of series) {
      const slice = measures.slice(offset, offset + perMetric);
      if (slice.length > 0) body[metricId] = slice;
    }
    if (Object.keys(body).length === 0) return bodies;
    bodies.push(body);
  }
}

/** Sends a request as admin; throws unless the status is `expected`. */
export async function request(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  expected = method === 'POST' ? 201 : 200,
): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: ADMIN_AUTHORIZATION,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  }
  return text === '' ? undefined : JSON.parse(text);
}

/** Creates the policy and `count` metrics on it; returns their ids. */
export async function createPolicyAndMetrics(
  url: string,
  policy: TestPolicy,
  count: number,
): Promise<string[]> {
  await request(url, 'POST', '/v1/archive_policy', {
    name: policy.name,
    back_window: policy.backWindow,
    aggregation_methods: policy.methods,
    definition: policy.items.map(({ granularity, timespan }) => ({ granularity, timespan })),
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const metric = (await request(url, 'POST', '/v1/metric', {
      archive_policy_name: policy.name,
    })) as { id: string };
    ids.push(metric.id);
  }
  return ids;
}

/** Posts bodies to the batch endpoint with `clients` requests in flight. */
export async function postBodies(
  url: string,
  bodies: readonly unknown[],
  clients: number,
): Promise<void> {
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      await request(url, 'POST', '/v1/batch/metrics/measures', body, 202);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}

/** Waits until the incoming store is empty as `/v1/status` reports it. */
export async function waitForDrain(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await request(url, 'GET', '/v1/status?details=false')) as {
      storage: { summary: { metrics: number; measures: number } };
    };
    if (status.storage.summary.measures === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`backlog not drained in ${timeoutMs} ms: ${JSON.stringify(status)}`);
    }
    await sleep(100);
  }
}

/** A measure triple as the API renders it. */
export type Triple = [string, number, number];

/** What the reference expects from `GET …/measures?granularity=G&aggregation=M`. */
export function expectedTriples(
  measures: readonly PostedMeasure[],
  item: PolicyItem,
  method: string,
): Triple[] {
  const points: Point[] = referenceSortMeasures(
    measures.map(({ timestamp, value }) => ({ ts: timestamp * MICROS, value })),
  );
  const granularity = item.granularity * MICROS;
  const aggregated = referenceAggregate(points, granularity, method);
  const last = aggregated[aggregated.length - 1];
  const kept =
    last === undefined ? [] : aggregated.filter((p) => p.ts > last.ts - item.timespan * MICROS);
  return kept.map((p) => [isoSeconds(p.ts), item.granularity, p.value]);
}

/** Reads one aggregate of a metric. */
export async function readTriples(
  url: string,
  metricId: string,
  item: PolicyItem,
  method: string,
): Promise<Triple[]> {
  const query = `granularity=${item.granularity}&aggregation=${encodeURIComponent(method)}`;
  return (await request(url, 'GET', `/v1/metric/${metricId}/measures?${query}`)) as Triple[];
}

/** Checks every granularity × method of every metric against the reference. */
export async function assertAggregatesMatch(
  url: string,
  policy: TestPolicy,
  series: ReadonlyMap<string, readonly PostedMeasure[]>,
): Promise<void> {
  for (const [metricId, measures] of series) {
    for (const item of policy.items) {
      for (const method of policy.methods) {
        const actual = await readTriples(url, metricId, item, method);
        const expected = expectedTriples(measures, item, method);
        // NOTE: integer values make count and sum exact whatever the order of addition.
        const exact = method === 'count' || method === 'sum';
        assertTriplesEqual(actual, expected, `${metricId} ${item.granularity}s ${method}`, exact);
      }
    }
  }
}

/** Equal timestamps and granularities; values equal, or unless `exact` within 1e-9 relative. */
export function assertTriplesEqual(
  actual: readonly Triple[],
  expected: readonly Triple[],
  what: string,
  exact = false,
): void {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: ${actual.length} points, not ${expected.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    const [ts, g, value] = actual[i]!;
    const [wantTs, wantG, wantValue] = expected[i]!;
    assert.equal(ts, wantTs, `${what}: point ${i}`);
    assert.equal(g, wantG, `${what}: point ${i}`);
    const close =
      value === wantValue ||
      (!exact && Math.abs(value - wantValue) <= 1e-9 * Math.max(1, Math.abs(wantValue)));
    assert.ok(close, `${what}: point ${i} at ${ts} is ${value}, expected ${wantValue}`);
  }
}

function isoSeconds(micros: number): string {
  return `${new Date(micros / 1_000).toISOString().slice(0, 19)}+00:00`;
}
