/**
 * Where the Redis storage driver keeps things, under a configurable key prefix `P`
 * (default `orzo:`; Redis `db` as in the URL):
 *
 *     P storage:<metric-uuid>     hash   object name → object bytes (names in `object-name.ts`:
 *                                        `raw`, `agg_<G>_<K>`)
 *
 * One hash per metric, as Gnocchi's `timeseries:<uuid>`: every update of a metric is one MULTI
 * on one key (or, when fenced, one script that also reads the metric's lock key), reads are one
 * HMGET, listing is one HKEYS and deleting a metric is one DEL. The prefix is shared with the
 * incoming driver's keys (`P incoming…`) and the locks' (`P lock:…`), which never start with
 * `storage:`.
 */
import { assertCanonicalUuid } from '../../grammar/index.ts';

/** The default key prefix. */
export const DEFAULT_REDIS_STORAGE_PREFIX = 'orzo:';

/** The keys of one prefix. */
export class RedisStorageLayout {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_REDIS_STORAGE_PREFIX) {
    this.prefix = prefix;
  }

  /** A metric's hash of objects. */
  metricKey(metricId: string): string {
    assertCanonicalUuid(metricId, 'metric id');
    return `${this.prefix}storage:${metricId}`;
  }
}
