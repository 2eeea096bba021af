/**
 * Backlog figures: building them from per-sack counts, and the shape Gnocchi's `/v1/status`
 * shows under `storage`. Gnocchi's `measures` there counts batches (one per POST and metric),
 * not points; Orzo's {@link Backlog} has both (`batches` and `measures`).
 */
import type { Backlog, BacklogFigures, MetricBacklog, SackBacklog } from './incoming-driver.ts';

/** `storage` of Gnocchi's `GET /v1/status`. */
export interface GnocchiStorageStatus {
  readonly summary: { readonly metrics: number; readonly measures: number };
  /** Batches waiting per metric id; only with `details=true` (Gnocchi's default). */
  readonly measures_to_process?: Readonly<Record<string, number>>;
}

/** Totals and the sorted list of non-empty sacks from per-sack figures. */
export function summarizeBacklog(
  perSack: ReadonlyMap<number, BacklogFigures>,
  details?: ReadonlyMap<string, MetricBacklog>,
): Backlog {
  const sacks: SackBacklog[] = [...perSack]
    .filter(([, figures]) => figures.metrics > 0)
    .sort(([a], [b]) => a - b)
    .map(([sack, figures]) => ({ sack, ...figures }));
  const total = (key: keyof BacklogFigures): number =>
    sacks.reduce((sum, figures) => sum + figures[key], 0);
  const totals = {
    metrics: total('metrics'),
    batches: total('batches'),
    measures: total('measures'),
    sacks,
  };
  return details === undefined ? totals : { ...totals, details };
}

/**
 * Gnocchi's `storage` status object: `measures` are batches, as Gnocchi counts them; the
 * per-metric part only with `details` (and when the backlog has them).
 */
export function toGnocchiStorageStatus(backlog: Backlog, details = true): GnocchiStorageStatus {
  const summary = { metrics: backlog.metrics, measures: backlog.batches };
  if (!details || backlog.details === undefined) return { summary };
  const perMetric: Record<string, number> = {};
  for (const [metricId, { batches }] of backlog.details) perMetric[metricId] = batches;
  return { summary, measures_to_process: perMetric };
}
