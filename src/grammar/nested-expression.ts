/**
 * The S-expression form of aggregation operations, read as Gnocchi reads it (pyparsing's
 * `nestedExpr`): parentheses nest, tokens are runs of characters that are neither whitespace nor
 * parentheses, a quoted string (single or double quotes, backslash escapes, no line break) is one
 * token with its quotes kept, and every token stays a string. Only the first expression counts;
 * anything after it is ignored, as in Gnocchi.
 *
 * Errors say what was expected where, in pyparsing's words, since clients show them as they are:
 * `Expected '(', found 'x'  (at char 0), (line:1, col:1)`.
 */
import { InvalidOperationsStringError } from './errors.ts';

/** A parsed expression: tokens and nested expressions. */
export type NestedExpression = (string | NestedExpression)[];

/** Deepest nesting read, so that a hostile string cannot exhaust the stack. */
export const MAX_NESTING = 256;

const WHITESPACE = /[ \t\n\r]/;
const QUOTED =
  /"(?:[^"\n\r\\]|""|\\(?:[^x]|x[0-9a-fA-F]+))*"|'(?:[^'\n\r\\]|''|\\(?:[^x]|x[0-9a-fA-F]+))*'/y;
const DELIMITER = /[ \t\n\r()]/;
const FOUND_WORD = /[\p{L}\p{N}_]+|\S/uy;

/** Reads the first expression of `text`; throws {@link InvalidOperationsStringError}. */
export function parseNestedExpression(text: string): NestedExpression {
  const start = skipWhitespace(text, 0);
  if (text[start] !== '(') throw expected(text, '(', start);
  return readExpression(text, start, 0).expression;
}

function readExpression(
  text: string,
  open: number,
  depth: number,
): { expression: NestedExpression; end: number } {
  if (depth >= MAX_NESTING) {
    throw new InvalidOperationsStringError(`Nested deeper than ${MAX_NESTING} levels`);
  }
  const expression: NestedExpression = [];
  let at = open + 1;
  for (;;) {
    at = skipWhitespace(text, at);
    const char = text[at];
    if (char === undefined) throw expected(text, ')', at);
    if (char === ')') return { expression, end: at + 1 };
    if (char === '(') {
      const inner = readExpression(text, at, depth + 1);
      expression.push(inner.expression);
      at = inner.end;
      continue;
    }
    const token = readToken(text, at);
    expression.push(token);
    at += token.length;
  }
}

/** A quoted string, or the characters up to a delimiter or to where a quoted string starts. */
function readToken(text: string, at: number): string {
  const quoted = matchAt(QUOTED, text, at);
  if (quoted !== undefined) return quoted;
  let end = at + 1;
  for (; end < text.length; end++) {
    const char = text[end] as string;
    if (DELIMITER.test(char)) break;
    if ((char === '"' || char === "'") && matchAt(QUOTED, text, end) !== undefined) break;
  }
  return text.slice(at, end);
}

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

function skipWhitespace(text: string, from: number): number {
  let at = from;
  while (at < text.length && WHITESPACE.test(text[at] as string)) at++;
  return at;
}

/** pyparsing's message: what was expected, what was found (a word, one character, or the end). */
function expected(text: string, what: string, at: number): InvalidOperationsStringError {
  let found = '';
  if (text.length > 0) {
    found =
      at >= text.length ? ', found end of text' : `, found '${matchAt(FOUND_WORD, text, at)}'`;
  }
  const line = text.slice(0, at).split('\n').length;
  const col = at - text.lastIndexOf('\n', at - 1);
  return new InvalidOperationsStringError(
    `Expected '${what}'${found}  (at char ${at}), (line:${line}, col:${col})`,
  );
}
