/**
 * Python's `float()` on the JSON scalars a client may send, which is how Gnocchi reads measure
 * values and epoch timestamps: numbers as they are, `true`/`false` as 1/0, and strings in Python's
 * float syntax (surrounding whitespace, a sign, `_` between digits, `inf`, `infinity` and `nan` in
 * any case). Hexadecimal, empty strings and JavaScript's `Infinity`-only spellings are refused as
 * Python refuses them; only ASCII digits count as digits (Python also takes other Unicode digits).
 */

/** A finite decimal in Python's float syntax, underscores allowed only between digits. */
const FINITE = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/i;
const SPECIAL = /^([+-]?)(?:(inf(?:inity)?)|nan)$/i;

/** The number Python's `float(text)` gives, or `undefined` where Python raises. */
export function parsePythonFloatString(text: string): number | undefined {
  const trimmed = text.trim();
  if (FINITE.test(trimmed)) {
    return Number(trimmed.includes('_') ? trimmed.replaceAll('_', '') : trimmed);
  }
  const special = SPECIAL.exec(trimmed);
  if (special === null) return undefined;
  if (special[2] === undefined) return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** The number Python's `float(value)` gives for a JSON value, or `undefined` where it raises. */
export function pythonFloat(value: unknown): number | undefined {
  switch (typeof value) {
    case 'number':
      return value;
    case 'string':
      return parsePythonFloatString(value);
    case 'boolean':
      return value ? 1 : 0;
    default:
      return undefined;
  }
}
