/**
 * Where the file incoming driver keeps things, under its base folder (`file://DIR`):
 *
 *     DIR/incoming/config.json                         {"sacks": N}, replaced atomically
 *     DIR/incoming/incoming{N}-{i}/                    one folder per sack, made by `orzo upgrade`
 *         <metric-uuid>_<YYYYmmddTHHMMSSmmm>_<uuid4>_<measures>
 *                                                      one finished batch: encoded measures
 *         .tmp-<uuid4>                                 a batch being written, never read
 *     DIR/incoming/journal/<owner>-<seq>.wal           group-commit journal segments (with fsync)
 *
 * Everything sits under `incoming/` so that storage can share the base folder (as Gnocchi's
 * incoming and storage share a basepath). Sack folders carry Gnocchi's sack names. Batches lie
 * flat in their sack's folder, which always exists: a write makes no folder and a pass removes
 * none, and one listing of a sack finds every waiting metric and its batches. A batch name starts
 * with its metric, then its UTC write time to the millisecond, so a metric's names sort by
 * arrival (within a millisecond, and across clocks of different hosts, only roughly), and ends
 * with its measure count, so the backlog can be counted without reading files. Names that start
 * with a dot are never batches.
 *
 * Before this layout a metric's batches sat in a folder of their own in the sack
 * (`<metric-uuid>/<YYYYmmddTHHMMSSmmm>_<uuid4>_<measures>`); such a folder is moved flat when a
 * listing meets it, and journal records naming such paths are placed flat.
 */
import { join } from 'node:path';

import { isCanonicalUuid } from '../../grammar/index.ts';
import { sackName, sackOfMetric, type Sack } from '../sack.ts';

/** The folder under the base folder that holds everything of the incoming driver. */
export const INCOMING_FOLDER = 'incoming';
/** The name of the sack-count file. */
export const CONFIG_FILE = 'config.json';
/** The prefix of files still being written. */
export const TEMPORARY_PREFIX = '.tmp-';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// NOTE: tested, never executed: a listing tests every name, and a match's captures cost twice the test.
const BATCH_NAME = new RegExp(`^${UUID}_\\d{8}T\\d{9}_[0-9a-f-]{36}_\\d{1,15}$`);
const METRIC_ID_LENGTH = 36;
const LEGACY_BATCH_NAME = /^\d{8}T\d{9}_[0-9a-f-]{36}_\d{1,15}$/;

/** Paths of one incoming folder. */
export class FileIncomingLayout {
  /** `DIR/incoming`. */
  readonly root: string;

  constructor(basePath: string) {
    this.root = join(basePath, INCOMING_FOLDER);
  }

  /** The sack-count file. */
  configPath(): string {
    return join(this.root, CONFIG_FILE);
  }

  // NOTE: the paths a pass asks for per metric are joined by hand (see `FileStorageLayout`): a
  // batch's name is checked, or comes from a listing, and holds no separator nor dot segment.

  /** A sack's folder. */
  sackPath(sack: Sack): string {
    return `${this.root}/${sackName(sack)}`;
  }

  /** A file in a sack's folder: a batch, or a temporary file. */
  batchPath(sack: Sack, name: string): string {
    return `${this.root}/${sackName(sack)}/${name}`;
  }

  /** A metric's folder of the older layout. */
  legacyMetricPath(sack: Sack, metricId: string): string {
    if (!isMetricId(metricId)) throw new RangeError(`not a metric id: ${metricId}`);
    return join(this.root, sackName(sack), metricId);
  }

  /** A batch file's path relative to `root`, as the journal records it. */
  relativeBatchPath(sack: Sack, name: string): string {
    return `${sackName(sack)}/${name}`;
  }

  /**
   * Where a batch recorded at a relative path belongs under `sacks` sacks (its metric's sack may
   * differ from the recorded one after a sack count change; `undefined`: the recorded sack), flat
   * even where the record names a metric folder of the older layout; `undefined` for a path this
   * driver did not make.
   */
  placeBatch(relativePath: string, sacks: number | undefined): string | undefined {
    const parts = relativePath.split('/');
    const [sackFolder] = parts;
    let name: string | undefined;
    if (parts.length === 2) {
      name = parts[1];
    } else if (parts.length === 3 && isMetricId(parts[1] ?? '')) {
      name = legacyBatchName(parts[1] as string, parts[2] as string);
    }
    if (sackFolder === undefined || name === undefined) return undefined;
    const metricId = metricOfBatchName(name);
    if (metricId === undefined) return undefined;
    if (sacks === undefined) return join(this.root, sackFolder, name);
    return this.batchPath(sackOfMetric(metricId, sacks), name);
  }
}

/** A finished batch's file name. */
export function batchFileName(
  metricId: string,
  writtenAt: Date,
  id: string,
  measures: number,
): string {
  if (!isMetricId(metricId)) throw new RangeError(`not a metric id: ${metricId}`);
  const stamp = writtenAt.toISOString().replace(/[-:.]/g, '').slice(0, 18);
  return `${metricId}_${stamp}_${id}_${measures}`;
}

/**
 * The flat name of a batch found in a metric folder of the older layout; `undefined` for a name
 * that layout did not make.
 */
export function legacyBatchName(metricId: string, name: string): string | undefined {
  return LEGACY_BATCH_NAME.test(name) ? `${metricId}_${name}` : undefined;
}

/** The metric of a batch file name; `undefined` for a name this driver did not make. */
export function metricOfBatchName(name: string): string | undefined {
  return BATCH_NAME.test(name) ? name.slice(0, METRIC_ID_LENGTH) : undefined;
}

/** The measure count a batch file name carries; `undefined` for a name this driver did not make. */
export function measuresOfBatchName(name: string): number | undefined {
  return BATCH_NAME.test(name) ? measuresOfKnownBatchName(name) : undefined;
}

/** The measure count of a name already known to be a batch's (by `metricOfBatchName`). */
export function measuresOfKnownBatchName(name: string): number {
  return Number(name.slice(name.lastIndexOf('_') + 1));
}

/**
 * Whether a name in a sack folder is a temporary file: a batch file written again by the
 * journal's recovery, or one an older version wrote before renaming it.
 */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}

/**
 * Whether a name in a sack folder is a metric id: a metric folder of the older layout (or, as an
 * argument, a valid metric id).
 */
export function isMetricId(name: string): boolean {
  return name.length === METRIC_ID_LENGTH && isCanonicalUuid(name);
}
