/** Reading metrics for charts: their policies (what the pickers offer) and their measures. */
import type { Api } from './api.ts';
import { measurePoints, type Series } from './series-data.ts';

/** The parts of a metric the console reads. */
export interface MetricJson {
  readonly id: string;
  readonly archive_policy: {
    readonly aggregation_methods: readonly string[];
    readonly definition: readonly { readonly granularity: number | string }[];
  };
}

/** Seconds of a policy granularity, which the API writes as a number or `HH:MM:SS`. */
export function granularitySeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const parts = value.split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** Reads the metrics' measures with the pickers' choice, one request per metric. */
export async function readSeries(
  api: Api,
  metrics: ReadonlyMap<string, string>,
  query: Record<string, string | number | undefined>,
): Promise<Series[]> {
  return Promise.all(
    [...metrics].map(async ([id, label]) => ({
      label,
      points: measurePoints(
        await api.get<[string, number, number][]>(
          `v1/metric/${encodeURIComponent(id)}/measures`,
          query,
        ),
      ),
    })),
  );
}
