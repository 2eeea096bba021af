/**
 * The `fill` argument of `GET /v1/metric/{id}/measures`, an Orzo extension (Gnocchi has `fill`
 * only on its cross-metric aggregation endpoints): a float, `null`, or `dropna`. What a fill does
 * is carbonara's `fillSeries`.
 */
import { FILL_DROPNA, type Fill } from '../../carbonara/index.ts';
import { parsePythonFloatString } from '../../grammar/index.ts';
import { InvalidArgumentValueError } from '../http/request-errors.ts';

/** Reads the `fill` argument; throws `InvalidArgumentValueError` naming it. */
export function parseFill(text: string): Fill {
  // NOTE: a float first, as Gnocchi's schema tries it first, so `nan` and `inf` are fills.
  const value = parsePythonFloatString(text);
  if (value !== undefined) return value;
  if (text === 'null') return null;
  if (text === FILL_DROPNA) return FILL_DROPNA;
  throw new InvalidArgumentValueError('fill', "Must be a float, 'dropna' or 'null'");
}
