import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { acceptsJson, mediaTypeOf } from '../../../src/api/http/media-types.ts';

describe('acceptsJson', () => {
  const cases: readonly [string | undefined, boolean][] = [
    [undefined, true],
    ['', true],
    ['application/json', true],
    ['Application/JSON', true],
    ['*/*', true],
    ['application/*', true],
    ['text/plain, application/json; q=0.8', true],
    ['text/plain', false],
    ['text/html', false],
    ['text/*', false],
    ['application/json;q=0', false],
    ['application/json;q=0, */*', false],
    ['*/*;q=0.1, application/json;q=0', false],
    ['application/*;q=0, application/json', true],
    ['not a media range', true],
    ['application/json;q=abc', true],
  ];
  for (const [accept, expected] of cases) {
    it(`${expected ? 'accepts' : 'refuses'} JSON for ${JSON.stringify(accept)}`, () => {
      assert.equal(acceptsJson(accept), expected);
    });
  }
});

describe('mediaTypeOf', () => {
  it('drops parameters and case', () => {
    assert.equal(mediaTypeOf('Application/JSON; charset=UTF-8'), 'application/json');
  });
  it('is null without a header or with an empty one', () => {
    assert.equal(mediaTypeOf(undefined), null);
    assert.equal(mediaTypeOf(' ; a=b'), null);
  });
});
