/** Counters of what processing did, added up per block and per worker. */
export interface ProcessingFigures {
  /** Metrics whose waiting measures were folded in. */
  metricsProcessed: number;
  /** Metrics left for later because another process held their lock. */
  metricsLocked: number;
  /** Metrics whose measures were thrown away because the metric is deleted or unknown. */
  metricsDiscarded: number;
  batchesRead: number;
  measuresRead: number;
  /** Measures dropped for being older than the back window. */
  measuresDropped: number;
  /** Incoming batches or stored objects that failed to decode. */
  corrupt: number;
  /** Metrics whose processing failed; their measures stay in incoming. */
  errors: number;
}

/** Figures at zero. */
export function emptyFigures(): ProcessingFigures {
  return {
    metricsProcessed: 0,
    metricsLocked: 0,
    metricsDiscarded: 0,
    batchesRead: 0,
    measuresRead: 0,
    measuresDropped: 0,
    corrupt: 0,
    errors: 0,
  };
}

/** Adds `more` into `into`. */
export function addFigures(into: ProcessingFigures, more: Readonly<ProcessingFigures>): void {
  for (const key of Object.keys(into) as (keyof ProcessingFigures)[]) into[key] += more[key];
}
