/**
 * Error wording of voluptuous, the schema library behind Gnocchi's REST layer, which clients match
 * on: `<message> for dictionary value @ data['definition'][0]['granularity']`, and the path as a
 * list of strings in the `detail` of the error body.
 */
import type { InputPath } from '../../archive-policy/index.ts';
import { pythonStrRepr } from '../../grammar/index.ts';

/** Messages voluptuous raises about the keys of a dictionary rather than about a value. */
const KEY_MESSAGES: ReadonlySet<string> = new Set([
  'extra keys not allowed',
  'required key not provided',
]);

/**
 * The reason voluptuous would give: the message, ` for dictionary value` when it is about the
 * value of a dictionary key, and ` @ data[…]` locating the field (nothing for the whole input).
 */
export function voluptuousReason(message: string, path: InputPath): string {
  if (path.length === 0) return message;
  const last = path[path.length - 1];
  const aboutValue = typeof last === 'string' && !KEY_MESSAGES.has(message);
  const location = path
    .map((part) => `[${typeof part === 'number' ? String(part) : pythonStrRepr(part)}]`)
    .join('');
  return `${message}${aboutValue ? ' for dictionary value' : ''} @ data${location}`;
}

/** The path as the `detail` list of Gnocchi's error body: every component as a string. */
export function voluptuousDetail(path: InputPath): string[] {
  return path.map(String);
}
