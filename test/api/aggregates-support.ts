/**
 * Shared set-up of the cross-metric API tests: policies, metrics created through the API, and
 * aggregates folded with the storage service as metricd would.
 */
import assert from 'node:assert/strict';

import type { ArchivePolicy } from '../../src/archive-policy/index.ts';
import { sortMeasures } from '../../src/carbonara/index.ts';
import { send, type CaseResponse } from './cases.ts';
import { ADMIN, FOOBAR, type TestApi } from './harness.ts';

/** Microseconds of a UTC time written without its zone. */
export const at = (iso: string): number => Date.parse(`${iso}Z`) * 1000;

/** Gnocchi's test policy `cookies` (1 s and 60 s) and `cake` (5 s). */
export async function createTestPolicies(
  api: TestApi,
  headers: Readonly<Record<string, string | null>> = { authorization: ADMIN },
): Promise<void> {
  for (const payload of [
    {
      name: 'cookies',
      aggregation_methods: ['mean', 'max', 'min', 'sum', 'count', 'last'],
      definition: [{ granularity: '1 second' }, { granularity: '60 second' }],
    },
    { name: 'cake', aggregation_methods: ['mean'], definition: [{ granularity: '5 second' }] },
  ]) {
    const response = await send(api, {
      method: 'POST',
      url: '/v1/archive_policy',
      headers,
      body: payload,
    });
    assert.equal(response.status, 201, response.text);
  }
}

/** Creates a metric through the API; returns its id. */
export async function createMetric(
  api: TestApi,
  policy: string,
  authorization = FOOBAR,
): Promise<string> {
  const response = await send(api, {
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization },
    body: { archive_policy_name: policy },
  });
  assert.equal(response.status, 201, response.text);
  return (response.json() as { id: string }).id;
}

/** Folds measures into a metric's aggregates, as metricd does. */
export async function store(
  api: TestApi,
  metricId: string,
  measures: readonly (readonly [string, number])[],
): Promise<void> {
  const metric = await api.indexer.getMetric(metricId);
  assert.ok(metric);
  const policy = (await api.indexer.getArchivePolicy(metric.archivePolicyName)) as ArchivePolicy;
  await api.storage.foldMeasures({
    metricId,
    policy,
    measures: sortMeasures(
      Float64Array.from(measures.map(([ts]) => at(ts))),
      Float64Array.from(measures.map(([, value]) => value)),
    ),
  });
}

/** The body of an answer, reading Python's bare `NaN` and infinities as strings. */
export function looseJson(response: CaseResponse): unknown {
  const text = response.text.replace(/(?<=[,[:])(-?Infinity|NaN)(?=[\],}])/g, '"$1"');
  return JSON.parse(text) as unknown;
}

/** `[timestamp, granularity, value]` rows as Gnocchi writes them, from short forms. */
export function rows(
  granularity: number,
  points: readonly (readonly [string, number | string])[],
): [string, number, number | string][] {
  return points.map(([ts, value]) => [`${ts}+00:00`, granularity, value]);
}
