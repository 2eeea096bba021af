/**
 * Where the file storage driver keeps things, under its base folder (`file://DIR`):
 *
 *     DIR/storage/                                  made by `orzo upgrade` (or the first write)
 *     DIR/storage/<xy>/                             shard: the first two hex digits of the id
 *     DIR/storage/<xy>/<metric-uuid>/               one folder per metric, made on first write
 *         raw                                       objects, named as in `object-name.ts`
 *         agg_<G>_<K>
 *         .tmp-<uuid4>                              an object being written, never listed
 *
 * Everything sits under `storage/` so that incoming (`DIR/incoming`) can share the base folder.
 * The 256 shards keep folders small with a million metrics, where Gnocchi's 16 nested levels per
 * metric would cost 16 folders (and their disk blocks) each. Objects are flat files in the
 * metric folder: there are no per-method folders, and a metric costs one folder plus one file per
 * object. A temporary file lives in the metric's own folder, so that its rename is atomic.
 */
import { join } from 'node:path';

import { assertCanonicalUuid } from '../../grammar/index.ts';
import { assertObjectName } from '../object-name.ts';

/** The folder under the base folder that holds everything of the storage driver. */
export const STORAGE_FOLDER = 'storage';
/** The prefix of files still being written. */
export const TEMPORARY_PREFIX = '.tmp-';

/** Paths of one storage folder. */
export class FileStorageLayout {
  /** `DIR/storage`. */
  readonly root: string;

  constructor(basePath: string) {
    this.root = join(basePath, STORAGE_FOLDER);
  }

  /** The shard folder of a metric. */
  shardPath(metricId: string): string {
    assertCanonicalUuid(metricId, 'metric id');
    return join(this.root, metricId.slice(0, 2));
  }

  /** A metric's folder. */
  metricPath(metricId: string): string {
    return join(this.shardPath(metricId), metricId);
  }

  /** An object's file. */
  objectPath(metricId: string, name: string): string {
    assertObjectName(name);
    return join(this.metricPath(metricId), name);
  }
}

/** Whether a name in a metric folder is a file being written (or left by a crashed writer). */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}
