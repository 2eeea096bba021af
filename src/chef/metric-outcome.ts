/** What processing one metric came to, and the figures it adds to its block's. */
import { emptyFigures, type ProcessingFigures } from './processing-figures.ts';

/** The outcome of one metric's pass. */
export type MetricOutcome =
  /** Its waiting batches were folded into storage and deleted. */
  | {
      readonly kind: 'folded';
      readonly batches: number;
      readonly measures: number;
      /** Measures older than the back window. */
      readonly dropped: number;
      /** Batches and stored objects that failed to decode. */
      readonly corrupt: number;
    }
  /** The metric is deleted or unknown: its batches were thrown away. */
  | { readonly kind: 'discarded'; readonly batches: number }
  /** Another process held its lock: it waits for a later pass. */
  | { readonly kind: 'locked' }
  /** Nothing was waiting once its lock was taken. */
  | { readonly kind: 'nothing-waiting' }
  /** Its processing failed (or its lock was lost): its measures wait. */
  | { readonly kind: 'failed' };

/** The figures one metric's outcome adds. */
export function figuresOf(outcome: MetricOutcome): ProcessingFigures {
  const figures = emptyFigures();
  switch (outcome.kind) {
    case 'folded':
      figures.metricsProcessed = 1;
      figures.batchesRead = outcome.batches;
      figures.measuresRead = outcome.measures;
      figures.measuresDropped = outcome.dropped;
      figures.corrupt = outcome.corrupt;
      break;
    case 'discarded':
      if (outcome.batches > 0) figures.metricsDiscarded = 1;
      break;
    case 'locked':
      figures.metricsLocked = 1;
      break;
    case 'failed':
      figures.errors = 1;
      break;
    case 'nothing-waiting':
      break;
  }
  return figures;
}
