/**
 * Where the file incoming driver keeps things, under its base folder (`file://DIR`):
 *
 *     DIR/incoming/config.json                         {"sacks": N}, replaced atomically
 *     DIR/incoming/incoming{N}-{i}/                    one folder per sack, made by `orzo upgrade`
 *     DIR/incoming/incoming{N}-{i}/<metric-uuid>/      exists while the metric has batches waiting
 *         <YYYYmmddTHHMMSSmmm>_<uuid4>_<measures>      one finished batch: encoded measures
 *         .tmp-<uuid4>                                 a batch being written, never read
 *     DIR/incoming/journal/<owner>-<seq>.wal           group-commit journal segments (with fsync)
 *
 * Everything sits under `incoming/` so that storage can share the base folder (as Gnocchi's
 * incoming and storage share a basepath). Sack folders carry Gnocchi's sack names. A batch name
 * starts with its UTC write time to the millisecond, so names sort by arrival (within a
 * millisecond, and across clocks of different hosts, only roughly), and ends with its measure
 * count, so the backlog can be counted without reading files. A temporary file lives in the
 * metric's own folder: a rename within one folder is atomic, and the folder cannot be removed
 * while the file is there. Names that start with a dot are never batches.
 */
import { join } from 'node:path';

import { sackName, sackOfMetric, type Sack } from '../sack.ts';

/** The folder under the base folder that holds everything of the incoming driver. */
export const INCOMING_FOLDER = 'incoming';
/** The name of the sack-count file. */
export const CONFIG_FILE = 'config.json';
/** The prefix of files still being written. */
export const TEMPORARY_PREFIX = '.tmp-';

const BATCH_NAME = /^\d{8}T\d{9}_[0-9a-f-]{36}_(\d{1,15})$/;
const METRIC_FOLDER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

  /** A sack's folder. */
  sackPath(sack: Sack): string {
    return join(this.root, sackName(sack));
  }

  /** A metric's folder in its sack. */
  metricPath(sack: Sack, metricId: string): string {
    if (!isMetricFolderName(metricId)) throw new RangeError(`not a metric id: ${metricId}`);
    return join(this.root, sackName(sack), metricId);
  }

  /** A file in a metric's folder. */
  batchPath(sack: Sack, metricId: string, name: string): string {
    return join(this.metricPath(sack, metricId), name);
  }

  /** A batch file's path relative to `root`, as the journal records it. */
  relativeBatchPath(sack: Sack, metricId: string, name: string): string {
    return `${sackName(sack)}/${metricId}/${name}`;
  }

  /**
   * Where a batch recorded at a relative path belongs under `sacks` sacks (its metric's sack may
   * differ from the recorded one after a sack count change); `undefined` for a path this driver
   * did not make.
   */
  placeBatch(relativePath: string, sacks: number | undefined): string | undefined {
    const [sackFolder, metricId, name, ...rest] = relativePath.split('/');
    if (
      rest.length > 0 ||
      sackFolder === undefined ||
      metricId === undefined ||
      name === undefined ||
      !isMetricFolderName(metricId) ||
      measuresOfBatchName(name) === undefined
    ) {
      return undefined;
    }
    if (sacks === undefined) return join(this.root, relativePath);
    return this.batchPath(sackOfMetric(metricId, sacks), metricId, name);
  }
}

/** A finished batch's file name. */
export function batchFileName(writtenAt: Date, id: string, measures: number): string {
  const stamp = writtenAt.toISOString().replace(/[-:.]/g, '').slice(0, 18);
  return `${stamp}_${id}_${measures}`;
}

/** The measure count a batch file name carries; `undefined` for a name this driver did not make. */
export function measuresOfBatchName(name: string): number | undefined {
  const match = BATCH_NAME.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** A temporary file name. */
export function temporaryFileName(id: string): string {
  return `${TEMPORARY_PREFIX}${id}`;
}

/** Whether a name in a metric folder is a batch (rather than a file being written). */
export function isBatchName(name: string): boolean {
  return !name.startsWith('.');
}

/** Whether a name in a metric folder is a temporary file. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}

/** Whether a name in a sack folder is a metric folder. */
export function isMetricFolderName(name: string): boolean {
  return METRIC_FOLDER.test(name);
}
