/** The reporter's scan: which metrics have measures waiting, sack by sack. */
import { mapLimit } from '../../async/map-limit.ts';
import type { Incoming } from '../../ingest/index.ts';

/** Sacks listed at once. */
const SACK_SCAN_CONCURRENCY = 16;

/** The metrics with measures waiting in each of `sacks` (every sack when absent). */
export async function listPendingBySack(
  incoming: Pick<Incoming, 'sackCount' | 'listMetrics'>,
  sacks?: readonly number[],
): Promise<Map<number, string[]>> {
  const scanned = sacks ?? Array.from({ length: await incoming.sackCount() }, (_, i) => i);
  const perSack = await mapLimit(scanned, SACK_SCAN_CONCURRENCY, (sack) =>
    incoming.listMetrics(sack),
  );
  const pending = new Map<number, string[]>();
  scanned.forEach((sack, i) => {
    const metricIds = perSack[i] ?? [];
    if (metricIds.length > 0) pending.set(sack, metricIds);
  });
  return pending;
}
