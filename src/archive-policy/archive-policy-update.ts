/**
 * The one change Gnocchi allows to an existing archive policy: new retention (points, timespan)
 * for the same granularities, and, as in Gnocchi's HEAD, a new back window. Granularities and
 * aggregation methods are fixed once a policy exists, because stored aggregates are keyed by them.
 */
import type { ArchivePolicy } from './archive-policy.ts';
import { parseArchivePolicyItems, parseBackWindow } from './archive-policy.ts';
import { UnsupportedArchivePolicyChangeError } from './errors.ts';
import { formatSecondsFloat } from '../grammar/index.ts';

/**
 * The policy `current` becomes with a new definition (client input, as in `PATCH`) and optionally
 * a new back window; throws {@link UnsupportedArchivePolicyChangeError} when the set of
 * granularities differs, with Gnocchi's messages.
 */
export function checkArchivePolicyUpdate(
  current: ArchivePolicy,
  newDefinitionInput: unknown,
  newBackWindow?: unknown,
): ArchivePolicy {
  // NOTE: repeated granularities are not refused as such: like Gnocchi, the comparison with the
  // current (unique) granularities below reports them as a changed granularity.
  const definition = parseArchivePolicyItems(newDefinitionInput);
  const backWindow =
    newBackWindow === undefined || newBackWindow === null
      ? current.backWindow
      : parseBackWindow(newBackWindow);
  const before = current.definition.map((item) => item.granularity).sort((a, b) => a - b);
  const after = definition.map((item) => item.granularity).sort((a, b) => a - b);
  if (before.length !== after.length) {
    throw new UnsupportedArchivePolicyChangeError(current.name, 'Cannot add or drop granularities');
  }
  before.forEach((granularity, index) => {
    if (after[index] !== granularity) {
      throw new UnsupportedArchivePolicyChangeError(
        current.name,
        `${formatSecondsFloat(granularity)} granularity interval was changed`,
      );
    }
  });
  return Object.freeze({ ...current, backWindow, definition });
}
