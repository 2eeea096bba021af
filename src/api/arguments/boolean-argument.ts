/** Boolean query arguments (`details`, `refresh`), read with the grammar's truth values. */
import { parseTruthValue } from '../../grammar/index.ts';
import { InvalidArgumentError } from '../http/request-errors.ts';

/** The boolean a query argument spells; throws `InvalidArgumentError` naming the argument. */
export function parseBoolean(name: string, value: string): boolean {
  const parsed = parseTruthValue(value);
  if (parsed !== undefined) return parsed;
  throw new InvalidArgumentError(
    name,
    `Unable to parse \`${name}': invalid truth value '${value}'`,
  );
}
