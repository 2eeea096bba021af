/**
 * The workload the HTTP benchmarks share: Gnocchi's benchmark policy (1-minute points for a day
 * and 1-hour points for 30 days; mean, min, max, sum, count, last), metrics created through the
 * API, and bodies for `POST /v1/batch/metrics/measures` holding every metric's points, metric after
 * metric, cut every `batch` measures, a point every 10 s, with ISO 8601 timestamps as Gnocchi's
 * clients send them.
 */
import { runLoad, type LoadFigures } from './http-load.ts';

/** Basic auth of `admin`. */
export const ADMIN = { authorization: `Basic ${Buffer.from('admin:').toString('base64')}` };
export const JSON_HEADERS = { ...ADMIN, 'content-type': 'application/json' };

/** Metrics × points per metric. */
export interface Shape {
  readonly metrics: number;
  readonly points: number;
}

const START = Date.UTC(2026, 0, 1);
const STEP_MS = 10_000;

/** Creates the benchmark policy and `count` metrics on it; returns their ids. */
export async function createBenchMetrics(
  url: string,
  count: number,
  concurrency: number,
): Promise<string[]> {
  await fetch(`${url}/v1/archive_policy`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({
      name: 'bench',
      aggregation_methods: ['mean', 'min', 'max', 'sum', 'count', 'last'],
      definition: [
        { granularity: '1 minute', timespan: '1 day' },
        { granularity: '1 hour', timespan: '30 days' },
      ],
    }),
  });
  const ids: string[] = [];
  const body = JSON.stringify({ archive_policy_name: 'bench' });
  await runLoad({
    baseUrl: url,
    total: count,
    concurrency,
    expectStatus: 201,
    next: () => ({ method: 'POST', path: '/v1/metric', body, headers: JSON_HEADERS }),
    onBody: (text) => ids.push((JSON.parse(text) as { id: string }).id),
  });
  return ids;
}

/**
 * The bodies of one round of a shape; round `r` carries the points after those of round `r − 1`.
 * Values are a random walk with two decimals, like a gauge.
 */
export function measureBodies(
  ids: readonly string[],
  shape: Shape,
  batch: number,
  round = 0,
): string[] {
  const bodies: string[] = [];
  let current: Record<string, { timestamp: string; value: number }[]> = {};
  let size = 0;
  const offset = round * shape.points * STEP_MS;
  for (const id of ids) {
    let value = 50;
    for (let p = 0; p < shape.points; p++) {
      const timestamp = new Date(START + offset + p * STEP_MS).toISOString();
      value = Math.round((value + Math.random() - 0.5) * 100) / 100;
      (current[id] ??= []).push({ timestamp, value });
      if (++size === batch) {
        bodies.push(JSON.stringify(current));
        current = {};
        size = 0;
      }
    }
  }
  if (size > 0) bodies.push(JSON.stringify(current));
  return bodies;
}

/** Posts batch bodies to `/v1/batch/metrics/measures` from `concurrency` clients, each one 202. */
export function postMeasureBodies(
  baseUrl: string,
  bodies: readonly string[],
  concurrency: number,
): Promise<LoadFigures> {
  return runLoad({
    baseUrl,
    total: bodies.length,
    concurrency,
    expectStatus: 202,
    next: (i) => ({
      method: 'POST',
      path: '/v1/batch/metrics/measures',
      body: bodies[i] ?? '',
      headers: JSON_HEADERS,
    }),
  });
}
