/**
 * Boolean query arguments (`details`, `refresh`) as Gnocchi reads them: `y yes t true on 1`
 * and `n no f false off 0`, in any case.
 */
import { InvalidArgumentError } from './request-errors.ts';

const TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** The boolean a query argument spells; throws `InvalidArgumentError` naming the argument. */
export function parseBoolean(name: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new InvalidArgumentError(
    name,
    `Unable to parse \`${name}': invalid truth value '${value}'`,
  );
}
