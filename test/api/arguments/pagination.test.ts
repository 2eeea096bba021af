import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidPaginationError } from '../../../src/indexer/index.ts';
import {
  nextPageLink,
  parseLimit,
  parseMetricSorts,
  parsePageRequest,
  quotePlus,
} from '../../../src/api/arguments/pagination.ts';
import { InvalidArgumentError } from '../../../src/api/http/request-errors.ts';

describe('parseLimit', () => {
  it('defaults to and clamps at max_limit', () => {
    assert.equal(parseLimit(undefined, 7), 7);
    assert.equal(parseLimit('100', 7), 7);
    assert.equal(parseLimit(' 3 ', 7), 3);
    assert.equal(parseLimit('1_0', 100), 10);
  });
  for (const value of ['0', '-2', 'x', '1.5', '', ['1', '2']] as const) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      assert.throws(() => parseLimit(value, 7), InvalidArgumentError);
    });
  }
});

describe('parseMetricSorts', () => {
  it('reads key[:direction], ascending by default', () => {
    assert.deepEqual(parseMetricSorts(['name', 'unit:', 'id:desc-nullslast']), [
      { key: 'name', direction: 'asc' },
      { key: 'unit', direction: 'asc' },
      { key: 'id', direction: 'desc-nullslast' },
    ]);
  });
  it('refuses unknown keys and directions', () => {
    assert.throws(() => parseMetricSorts(['colour']), InvalidPaginationError);
    assert.throws(() => parseMetricSorts(['id:up']), /Unknown sort direction/);
  });
});

describe('nextPageLink', () => {
  it('sorts the arguments and encodes them as Python does', () => {
    const query = { name: 'a b/c', sort: 'name:desc', limit: '1000' };
    const page = parsePageRequest(query, 2, ['id:asc']);
    assert.equal(
      nextPageLink('http://h/v1/metric', query, page, 'm-1'),
      '<http://h/v1/metric?limit=2&marker=m-1&name=a+b%2Fc&sort=name%3Adesc>; rel="next"',
    );
  });
  it('repeats every sort, the defaults included', () => {
    const page = parsePageRequest({}, 7, ['id:asc', 'name:asc']);
    assert.match(nextPageLink('u', {}, page, 'm'), /sort=id%3Aasc&sort=name%3Aasc>/);
  });
  it('encodes like quote_plus', () => {
    assert.equal(quotePlus("é ~!*'()@:"), '%C3%A9+~%21%2A%27%28%29%40%3A');
  });
});
