/**
 * Where the file storage driver keeps things, under its base folder (`file://DIR`):
 *
 *     DIR/storage/                                  made by `orzo upgrade` (or the first write)
 *     DIR/storage/<xy>/                             shard: the first two hex digits of the id
 *     DIR/storage/<xy>/<metric-uuid>.pack           the metric's pack, slot 0 (`object-pack.ts`)
 *     DIR/storage/<xy>/<metric-uuid>.pack-1         its slot 1 (`pack-slots.ts`)
 *     DIR/storage/<xy>/<metric-uuid>/               objects kept as files of their own, made when
 *         agg_<G>_<K>                               the first one is: named as in `object-name.ts`
 *         .tmp-<uuid4>                              an object being written, never listed
 *
 * Everything sits under `storage/` so that incoming (`DIR/incoming`) can share the base folder.
 * The 256 shards keep folders small with a million metrics, where Gnocchi's 16 nested levels per
 * metric would cost 16 folders (and their disk blocks) each. A metric whose objects all fit in
 * its pack costs one file; larger ones add a folder of flat files (no per-method folders). A
 * metric written before packs existed has a folder and no pack until its next update. A
 * temporary file lives in the folder of the file it replaces, so that its rename is atomic. A
 * `.<metric-uuid>.pack-new` is what a writer from before slots left: its deletion sweeps it.
 */
import { join } from 'node:path';

import { assertCanonicalUuid } from '../../grammar/index.ts';
import { assertObjectName } from '../object-name.ts';

/** The folder under the base folder that holds everything of the storage driver. */
export const STORAGE_FOLDER = 'storage';
/** What a pack's file name adds to its metric id: slot 0's, and slot 1's. */
export const PACK_SUFFIX = '.pack';
export const SECOND_PACK_SUFFIX = `${PACK_SUFFIX}-1`;
/** One of a metric's two pack files. */
export type PackSlot = 0 | 1;
/** The prefix of files still being written. */
export const TEMPORARY_PREFIX = '.tmp-';

/** Paths of one storage folder. */
export class FileStorageLayout {
  /** `DIR/storage`. */
  readonly root: string;

  constructor(basePath: string) {
    this.root = join(basePath, STORAGE_FOLDER);
  }

  // NOTE: paths are joined by hand, not with `path.join`, whose normalising took 1.4 % of a
  // pass's CPU samples and allocated more than any other step but encoding (`npm run
  // bench:pass`, profiled): `root` is normal already, and every part is a checked metric id or
  // object name, which holds no separator nor dot segment.

  /** The shard folder of a metric. */
  shardPath(metricId: string): string {
    assertCanonicalUuid(metricId, 'metric id');
    return `${this.root}/${metricId.slice(0, 2)}`;
  }

  /** A metric's folder. */
  metricPath(metricId: string): string {
    return `${this.shardPath(metricId)}/${metricId}`;
  }

  /** A metric's pack slot: `<id>.pack` (where packs from before slots are) or `<id>.pack-1`. */
  packPath(metricId: string, slot: PackSlot = 0): string {
    const suffix = slot === 0 ? PACK_SUFFIX : SECOND_PACK_SUFFIX;
    return `${this.shardPath(metricId)}/${metricId}${suffix}`;
  }

  /** A metric's two pack slots, slot 0 first. */
  packSlotPaths(metricId: string): [string, string] {
    return [this.packPath(metricId, 0), this.packPath(metricId, 1)];
  }

  /** Where a writer from before slots wrote a metric's next pack before its rename. */
  legacyPackTemporaryPath(metricId: string): string {
    return `${this.shardPath(metricId)}/.${metricId}${PACK_SUFFIX}-new`;
  }

  /** An object's file. */
  objectPath(metricId: string, name: string): string {
    assertObjectName(name);
    return `${this.metricPath(metricId)}/${name}`;
  }
}

/** Whether a name in a metric folder is a file being written (or left by a crashed writer). */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}
