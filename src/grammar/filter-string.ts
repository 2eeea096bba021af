/**
 * The string form of Gnocchi's resource filter (`?filter=`), e.g.
 * `type = 'instance' and (flavor_id = 2 or not host like 'compute-%')`:
 * conditions `<field> <op> <value>`; values are quoted strings, numbers (read as floats), `true`
 * and `false` (also capitalised), `null` (also `None`, `none`), bare UUIDs and identifiers, and
 * `[…]` lists; `not` binds tightest, then `and` (`∧`), then `or` (`∨`); parentheses group.
 * The string becomes the JSON form, which `parseJsonFilter` then checks, as Gnocchi does.
 */
import { InvalidFilterError } from './errors.ts';
import { MAX_FILTER_DEPTH, parseJsonFilter, type ResourceFilter } from './resource-filter.ts';

/** Operators of a condition, longest first so that `>=` is not read as `>`. */
const OPERATORS = [
  '>=',
  '<=',
  '!=',
  '==',
  '>',
  '<',
  '=',
  '≠',
  '≥',
  '≤',
  'eq',
  'ne',
  'lt',
  'gt',
  'ge',
  'le',
  'in',
  'like',
];
const WORD_OPERATORS = new Set(['eq', 'ne', 'lt', 'gt', 'ge', 'le', 'in', 'like']);
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const NUMBER = /^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
/** A bare word: letters, digits, `_`, `-`, `.`, `+` (numbers and dashed UUIDs included). */
const WORD_CHAR = /[A-Za-z0-9_\-.+]/;

type Token =
  | { readonly kind: 'punct'; readonly text: string; readonly at: number }
  | { readonly kind: 'op'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'word'; readonly text: string; readonly at: number };

type Document = Readonly<Record<string, unknown>>;

/** Parses `?filter=`; throws `InvalidFilterError` (`Invalid filter: Expected …`). */
export function parseFilterString(text: string): ResourceFilter {
  return parseJsonFilter(filterStringToJson(text));
}

/** The JSON form of a string filter, before the shape checks. */
export function filterStringToJson(text: string): Document {
  const parser = new Parser(text, tokenize(text));
  const document = parser.disjunction();
  parser.expectEnd();
  return document;
}

class Parser {
  readonly #text: string;
  readonly #tokens: readonly Token[];
  #next = 0;
  /** Parentheses, `not`s and lists open at this point, so that nesting cannot exhaust the stack. */
  #depth = 0;

  constructor(text: string, tokens: readonly Token[]) {
    this.#text = text;
    this.#tokens = tokens;
  }

  disjunction(): Document {
    const operands = [this.conjunction()];
    while (this.#acceptWord('or', '∨')) operands.push(this.conjunction());
    const [only] = operands;
    return operands.length === 1 && only !== undefined ? only : { or: operands };
  }

  expectEnd(): void {
    const token = this.#tokens[this.#next];
    if (token !== undefined) throw this.#expected('end of text', token.at);
  }

  conjunction(): Document {
    const operands = [this.negation()];
    while (this.#acceptWord('and', '∧')) operands.push(this.negation());
    const [only] = operands;
    return operands.length === 1 && only !== undefined ? only : { and: operands };
  }

  negation(): Document {
    if (this.#acceptWord('not')) return { not: this.#nested(() => this.negation()) };
    const token = this.#tokens[this.#next];
    if (token?.kind === 'punct' && token.text === '(') {
      this.#next++;
      const inner = this.#nested(() => this.disjunction());
      this.#expectPunct(')');
      return inner;
    }
    return this.condition();
  }

  condition(): Document {
    const fieldToken = this.#tokens[this.#next];
    if (fieldToken === undefined || (fieldToken.kind !== 'word' && fieldToken.kind !== 'string')) {
      throw this.#expected('a field name', fieldToken?.at ?? this.#text.length);
    }
    this.#next++;
    const opToken = this.#tokens[this.#next];
    if (opToken?.kind !== 'op')
      throw this.#expected('an operator', opToken?.at ?? this.#text.length);
    this.#next++;
    return { [opToken.text]: { [fieldToken.text]: this.term() } };
  }

  term(): unknown {
    const token = this.#tokens[this.#next];
    if (token === undefined) throw this.#expected('a value', this.#text.length);
    if (token.kind === 'punct' && token.text === '[') {
      this.#next++;
      const items: unknown[] = [];
      if (!this.#acceptPunct(']')) {
        do items.push(this.#nested(() => this.term()));
        while (this.#acceptPunct(','));
        this.#expectPunct(']');
      }
      return items;
    }
    this.#next++;
    if (token.kind === 'string') return token.text;
    if (token.kind === 'word') {
      const value = wordValue(token.text);
      if (value !== undefined) return value.value;
    }
    throw this.#expected('a value', token.at);
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > MAX_FILTER_DEPTH) {
      const at = this.#tokens[this.#next]?.at ?? this.#text.length;
      throw new InvalidFilterError(
        'string',
        `Invalid filter: nested deeper than ${MAX_FILTER_DEPTH} levels (at char ${at})`,
      );
    }
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  #acceptWord(...words: string[]): boolean {
    const token = this.#tokens[this.#next];
    if (token?.kind !== 'word' || !words.includes(token.text)) return false;
    this.#next++;
    return true;
  }

  #acceptPunct(text: string): boolean {
    const token = this.#tokens[this.#next];
    if (token?.kind !== 'punct' || token.text !== text) return false;
    this.#next++;
    return true;
  }

  #expectPunct(text: string): void {
    if (!this.#acceptPunct(text)) {
      throw this.#expected(`"${text}"`, this.#tokens[this.#next]?.at ?? this.#text.length);
    }
  }

  #expected(what: string, at: number): InvalidFilterError {
    return new InvalidFilterError(
      'string',
      `Invalid filter: Expected ${what} (at char ${at}), (line:1, col:${at + 1})`,
    );
  }
}

/** What a bare word means as a value, or undefined when it is none. */
function wordValue(word: string): { value: unknown } | undefined {
  if (word === 'null' || word === 'None' || word === 'none') return { value: null };
  if (word === 'true' || word === 'True') return { value: true };
  if (word === 'false' || word === 'False') return { value: false };
  if (UUID.test(word)) return { value: word };
  if (IDENTIFIER.test(word)) return { value: word };
  if (NUMBER.test(word)) return { value: Number(word) };
  return undefined;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text.charAt(at);
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if ('()[],'.includes(char)) {
      tokens.push({ kind: 'punct', text: char, at });
      at++;
      continue;
    }
    if (char === '"' || char === "'") {
      const end = text.indexOf(char, at + 1);
      if (end === -1) {
        throw new InvalidFilterError(
          'string',
          `Invalid filter: Expected a closing ${char} (at char ${at}), (line:1, col:${at + 1})`,
        );
      }
      tokens.push({ kind: 'string', text: text.slice(at + 1, end), at });
      at = end + 1;
      continue;
    }
    const symbol = OPERATORS.find((op) => !WORD_OPERATORS.has(op) && text.startsWith(op, at));
    if (symbol !== undefined) {
      tokens.push({ kind: 'op', text: symbol, at });
      at += symbol.length;
      continue;
    }
    let end = at;
    while (end < text.length && WORD_CHAR.test(text.charAt(end))) end++;
    if (end === at) {
      // NOTE: `∧` and `∨` are words of their own.
      if (char === '∧' || char === '∨') {
        tokens.push({ kind: 'word', text: char, at });
        at++;
        continue;
      }
      throw new InvalidFilterError(
        'string',
        `Invalid filter: Expected a condition (at char ${at}), (line:1, col:${at + 1})`,
      );
    }
    const word = text.slice(at, end);
    tokens.push({ kind: WORD_OPERATORS.has(word) ? 'op' : 'word', text: word, at });
    at = end;
  }
  return tokens;
}
