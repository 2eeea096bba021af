import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidArchivePolicyError } from '../../../src/archive-policy/index.ts';
import { byCause, ERROR_TABLE, renderError } from '../../../src/api/http/errors.ts';
import { InvalidInputError } from '../../../src/api/http/request-errors.ts';
import { FillLimitExceededError } from '../../../src/carbonara/index.ts';
import { LockLostError } from '../../../src/chef/index.ts';
import { ConfigError } from '../../../src/errors/index.ts';
import { ArchivePolicyNotFoundError } from '../../../src/indexer/index.ts';

const context = { bodyLimit: 1024 };

describe('renderError', () => {
  it('answers every mapped code with a 4xx or 503, and a query InfluxDB-compat cannot run with 501', () => {
    for (const [code, mapping] of Object.entries(ERROR_TABLE)) {
      // NOTE: Gnocchi's answer to an InfluxQL query other than `create database`.
      const notImplemented = code === 'INFLUX_QUERY_NOT_IMPLEMENTED' && mapping.status === 501;
      assert.ok(
        (mapping.status >= 400 && mapping.status < 500) || mapping.status === 503 || notImplemented,
        `${code} → ${mapping.status}`,
      );
    }
  });

  it('renders input errors as voluptuous does', () => {
    const error = new InvalidArchivePolicyError('Timespan must be positive', {
      path: ['definition', 0, 'granularity'],
    });
    assert.deepEqual(renderError(error, context).body.description, {
      cause: 'Invalid input',
      reason:
        "Timespan must be positive for dictionary value @ data['definition'][0]['granularity']",
      detail: ['definition', '0', 'granularity'],
    });
  });

  it('answers an engine failure that no request causes with a bare 500', () => {
    const { status, body } = renderError(new LockLostError('m'), context);
    assert.equal(status, 500);
    assert.equal(body.title, 'Internal Server Error');
  });

  it('renders a fill past its limit as a bad fill argument', () => {
    const { status, body } = renderError(new FillLimitExceededError(100000, 1_000_000), context);
    assert.equal(status, 400);
    const description = body.description as { cause: string; detail: string; reason: string };
    assert.equal(description.cause, 'Argument value error');
    assert.equal(description.detail, 'fill');
    assert.ok(description.reason.includes('more than 100000 points at granularity 1.0;'));
  });

  it('renders query errors as argument errors', () => {
    const error = new InvalidInputError('querystring', 'expected str', ['name']);
    assert.deepEqual(renderError(error, context).body.description, {
      cause: 'Argument value error',
      reason: "expected str for dictionary value @ data['name']",
      detail: ['name'],
    });
  });

  it('lets a route override a mapping', () => {
    const error = new ArchivePolicyNotFoundError('x');
    assert.equal(renderError(error, context).status, 404);
    const overridden = renderError(error, context, {
      ARCHIVE_POLICY_NOT_FOUND: { status: 400, describe: byCause },
    });
    assert.deepEqual(overridden, {
      status: 400,
      body: {
        code: 400,
        title: 'Bad Request',
        description: { cause: 'Archive policy does not exist', detail: 'x' },
      },
    });
  });

  it('answers unknown errors, and engine errors the API does not expect, with a bare 500', () => {
    for (const error of [
      new Error('secret detail'),
      new ConfigError('bad', { path: 'x' }),
      'a string',
    ]) {
      const { status, body } = renderError(error, context);
      assert.equal(status, 500);
      assert.ok(!JSON.stringify(body).includes('secret'));
    }
  });

  it('passes fastify client errors through with their status', () => {
    const error = Object.assign(new Error('Bad header'), {
      code: 'FST_ERR_SOMETHING',
      statusCode: 431,
    });
    assert.equal(renderError(error, context).status, 431);
  });
});
