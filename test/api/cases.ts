/**
 * Request/response tables in the spirit of Gnocchi's gabbits: each case is one request and what
 * its answer must be; cases run in order against one API, and later cases may use earlier
 * answers (`history.last`, `history.get(name)`), as gabbi's `$RESPONSE` and `$HISTORY` do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { InjectOptions } from 'fastify';

import { FOOBAR, startApi, type StartApiOptions, type TestApi } from './harness.ts';

/** An answer as cases see it. */
export interface CaseResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly text: string;
  json(): unknown;
}

/** The answers of the cases run so far. */
export class CaseHistory {
  readonly #answers = new Map<string, CaseResponse>();
  #last: CaseResponse | undefined;

  /** The answer of the case of this name. */
  get(name: string): CaseResponse {
    const answer = this.#answers.get(name);
    assert.ok(answer, `no answer recorded for case '${name}'`);
    return answer;
  }

  /** The answer of the previous case. */
  get last(): CaseResponse {
    assert.ok(this.#last, 'no case has run yet');
    return this.#last;
  }

  record(name: string, answer: CaseResponse): void {
    this.#answers.set(name, answer);
    this.#last = answer;
  }
}

/** A check of an answer. */
export type Check = (response: CaseResponse, history: CaseHistory) => void;

/** One request and the answer expected. */
export interface ApiCase {
  readonly name: string;
  readonly method: string;
  readonly url: string | ((history: CaseHistory) => string);
  /** Over the defaults (user foobar, JSON body); `null` removes a default header. */
  readonly headers?: Readonly<Record<string, string | null>>;
  /** A value sent as JSON, or a string sent as is. */
  readonly body?: unknown;
  readonly status: number;
  readonly expect?: Check | readonly Check[];
}

/** The headers every case sends unless it says otherwise, as in Gnocchi's gabbits. */
export const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  authorization: FOOBAR,
  'content-type': 'application/json',
};

/** Sends one request to the API. */
export async function send(
  api: TestApi,
  request: Pick<ApiCase, 'method' | 'headers' | 'body'> & { url: string },
): Promise<CaseResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...DEFAULT_HEADERS, ...request.headers })) {
    if (value !== null) headers[name] = value;
  }
  const options: InjectOptions = {
    method: request.method,
    url: request.url,
    headers,
  };
  if (request.body !== undefined) {
    options.payload =
      typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  }
  const response = await api.app.inject(options);
  return {
    status: response.statusCode,
    headers: response.headers,
    text: response.body,
    json: () => JSON.parse(response.body) as unknown,
  };
}

/** Runs a table of cases, in order, on one fresh API. */
export function runCases(
  title: string,
  cases: readonly ApiCase[],
  options: StartApiOptions = {},
): void {
  describe(title, () => {
    let api: TestApi;
    const history = new CaseHistory();
    before(async () => {
      api = await startApi(options);
    });
    after(async () => {
      await api.close();
    });
    for (const testCase of cases) {
      it(testCase.name, async () => {
        const url = typeof testCase.url === 'string' ? testCase.url : testCase.url(history);
        const response = await send(api, { ...testCase, url });
        history.record(testCase.name, response);
        assert.equal(
          response.status,
          testCase.status,
          `${testCase.method} ${url}: ${response.text}`,
        );
        for (const check of [testCase.expect ?? []].flat()) check(response, history);
      });
    }
  });
}

/** The answer's JSON contains `expected`: objects by their given keys, arrays element-wise. */
export function json(expected: unknown): Check {
  return (response) => {
    assertContains(response.json(), expected, '$');
  };
}

/** The error body has Gnocchi's shape and its description contains `expected`. */
export function description(expected: unknown): Check {
  return (response) => {
    const body = assertErrorBody(response);
    if (expected instanceof RegExp) {
      assert.match(JSON.stringify(body.description), expected);
    } else {
      assertContains(body.description, expected, '$.description');
    }
  };
}

/** A header equals `expected` (or matches it, for a regular expression). */
export function header(name: string, expected: string | RegExp | undefined): Check {
  return (response) => {
    const value = response.headers[name.toLowerCase()];
    if (expected === undefined) assert.equal(value, undefined, `unexpected header ${name}`);
    else if (expected instanceof RegExp) assert.match(String(value), expected);
    else assert.equal(value, expected, `header ${name}`);
  };
}

/** The body contains this text, as gabbi's `response_strings`. */
export function includes(text: string): Check {
  return (response) => {
    assert.ok(response.text.includes(text), `expected ${JSON.stringify(text)} in ${response.text}`);
  };
}

/** The id of the object answered, or of the one at `index` of a list answered. */
export function idOf(response: CaseResponse, index = 0): string {
  const body = response.json() as { id: string } | { id: string }[];
  if (!Array.isArray(body)) return body.id;
  const item = body[index];
  assert.ok(item, `no item ${index} in ${response.text}`);
  return item.id;
}

/** The answer is a list of this length. */
export function count(expected: number): Check {
  return (response) => {
    assert.equal((response.json() as unknown[]).length, expected);
  };
}

/** Checks the error shape `{code, title, description}` and a JSON content type; returns it. */
export function assertErrorBody(response: CaseResponse): {
  code: number;
  title: string;
  description: unknown;
} {
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const body = response.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'description', 'title']);
  assert.equal(body.code, response.status);
  assert.equal(typeof body.title, 'string');
  const text = body.description;
  assert.ok(
    text === null || typeof text === 'string' || (typeof text === 'object' && !Array.isArray(text)),
    `bad description ${JSON.stringify(text)}`,
  );
  return body as { code: number; title: string; description: unknown };
}

function assertContains(actual: unknown, expected: unknown, path: string): void {
  if (expected instanceof RegExp) {
    assert.match(String(actual), expected, path);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} should be a list: ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path} length`);
    expected.forEach((item, index) => {
      assertContains(actual[index], item, `${path}[${index}]`);
    });
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(typeof actual === 'object' && actual !== null, `${path} should be an object`);
    for (const [key, value] of Object.entries(expected)) {
      assertContains((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
  } else {
    assert.deepEqual(actual, expected, path);
  }
}
