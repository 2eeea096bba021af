import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Api, errorMessage } from '../../src/console/api.ts';

describe('errorMessage', () => {
  it("reads Gnocchi's text description", () => {
    assert.equal(
      errorMessage(404, '{"code":404,"description":"Metric x does not exist"}'),
      '404: Metric x does not exist',
    );
  });

  it('reads a cause and detail', () => {
    assert.equal(
      errorMessage(
        400,
        '{"description":{"cause":"Invalid input","reason":"not a number","detail":["granularity"]}}',
      ),
      '400: Invalid input — not a number — ["granularity"]',
    );
  });

  it('keeps a body that is not JSON, shortened', () => {
    assert.equal(errorMessage(502, 'Bad gateway'), '502: Bad gateway');
    assert.equal(errorMessage(502, '').startsWith('502: no detail'), true);
  });
});

describe('Api.url', () => {
  it('resolves paths under the root, whatever prefix, and repeats array arguments', () => {
    const api = new Api(new URL('https://example.test/gnocchi/'), {});
    const url = api.url('/v1/aggregates', {
      groupby: ['host', 'project_id'],
      start: undefined,
      fill: 0,
    });
    assert.equal(url.pathname, '/gnocchi/v1/aggregates');
    assert.deepEqual(url.searchParams.getAll('groupby'), ['host', 'project_id']);
    assert.equal(url.searchParams.has('start'), false);
    assert.equal(url.searchParams.get('fill'), '0');
  });
});
