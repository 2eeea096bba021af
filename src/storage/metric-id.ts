/** The metric ids storage accepts: canonical UUIDs, which are safe as file names and keys. */

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Throws `RangeError` unless `metricId` is a lowercase dashed UUID. */
export function assertMetricId(metricId: string): void {
  if (!CANONICAL.test(metricId)) throw new RangeError(`not a metric id: ${metricId}`);
}
