/**
 * Truth values as Gnocchi reads boolean query arguments (`details`, `refresh`, `history`) with
 * oslo's `strutils.bool_from_string(strict=True)`: `y yes t true on 1` and `n no f false off 0`,
 * in any case.
 */

const TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** The boolean `text` spells, or `undefined` when it spells none. */
export function parseTruthValue(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return undefined;
}
