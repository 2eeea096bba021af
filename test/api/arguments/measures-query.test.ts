import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseMeasuresQuery } from '../../../src/api/arguments/measures-query.ts';
import {
  InvalidArgumentValueError,
  InvalidResampleError,
} from '../../../src/api/http/request-errors.ts';
import { InvalidTimespanError } from '../../../src/grammar/index.ts';

const S = 1_000_000;
const NOW = 1_425_652_437 * S;

describe('parseMeasuresQuery', () => {
  it('defaults to mean over every granularity and the whole series', () => {
    assert.deepEqual(parseMeasuresQuery({}, NOW), { aggregation: 'mean' });
  });

  it('reads start and stop in every timestamp form', () => {
    const read = (start: string) => parseMeasuresQuery({ start }, NOW).start;
    assert.equal(read('2015-03-06T14:33:57'), NOW);
    assert.equal(read('2015-03-06 15:33:57+01:00'), NOW);
    assert.equal(read('1425652437'), NOW);
    assert.equal(read('1425652437.5'), NOW + S / 2);
    assert.equal(read('-1 minute'), NOW - 60 * S);
    assert.equal(read('now'), NOW);
    assert.equal(parseMeasuresQuery({ stop: '2015-03' }, NOW).stop, Date.UTC(2015, 2) * 1000);
  });

  for (const [name, value] of [
    ['start', 'yesterday-ish'],
    ['start', ''],
    ['stop', '1969-12-31T23:59:59'],
    ['stop', '-1'],
    ['start', '1e30'],
  ] as const) {
    it(`refuses ${name}=${JSON.stringify(value)} naming the argument`, () => {
      assert.throws(
        () => parseMeasuresQuery({ [name]: value }, NOW),
        (error) =>
          error instanceof InvalidArgumentValueError &&
          error.argument === name &&
          error.message === 'Must be a datetime or a timestamp',
      );
    });
  }

  it('reads a granularity as a timespan', () => {
    assert.equal(parseMeasuresQuery({ granularity: '60' }, NOW).granularity, 60 * S);
    assert.equal(parseMeasuresQuery({ granularity: '1 hour' }, NOW).granularity, 3600 * S);
    assert.equal(parseMeasuresQuery({ granularity: '0.5' }, NOW).granularity, S / 2);
  });

  for (const [value, reason] of [
    ['foobar', 'Unable to parse timespan'],
    ['', 'Unable to parse timespan'],
    ['0', 'Timespan must be positive'],
    ['-60', 'Timespan must be positive'],
  ] as const) {
    it(`refuses granularity=${JSON.stringify(value)}: ${reason}`, () => {
      assert.throws(
        () => parseMeasuresQuery({ granularity: value }, NOW),
        (error) =>
          error instanceof InvalidArgumentValueError &&
          error.argument === 'granularity' &&
          error.message === reason,
      );
    });
  }

  it('reads a resample as a timespan or a calendar letter, with a granularity', () => {
    assert.equal(parseMeasuresQuery({ granularity: '60', resample: '5m' }, NOW).resample, 300 * S);
    assert.equal(parseMeasuresQuery({ granularity: '60', resample: 'W' }, NOW).resample, 'W');
    assert.equal(parseMeasuresQuery({ resample: '' }, NOW).resample, undefined);
  });

  it('needs a granularity to resample, checked before anything else', () => {
    for (const args of [{ resample: 'M' }, { resample: '60', granularity: '', start: 'x' }]) {
      assert.throws(
        () => parseMeasuresQuery(args, NOW),
        (error) =>
          error instanceof InvalidResampleError &&
          error.message === 'A granularity must be specified to resample',
      );
    }
  });

  it('refuses a resample that is neither a timespan nor a calendar letter', () => {
    assert.throws(
      () => parseMeasuresQuery({ granularity: '60', resample: 'month', start: 'x' }, NOW),
      (error) =>
        error instanceof InvalidTimespanError && error.message === 'Unable to parse timespan',
    );
    assert.throws(
      () => parseMeasuresQuery({ granularity: '60', resample: '-5' }, NOW),
      (error) =>
        error instanceof InvalidTimespanError && error.message === 'Timespan must be positive',
    );
  });

  it('checks start, stop, granularity, then fill, as Gnocchi validate_qs does', () => {
    const argumentOf = (args: Record<string, string>) => {
      try {
        parseMeasuresQuery(args, NOW);
      } catch (error) {
        return error instanceof InvalidArgumentValueError ? error.argument : undefined;
      }
      return undefined;
    };
    const bad = { start: 'x', stop: 'x', granularity: 'x', fill: 'x' };
    assert.equal(argumentOf(bad), 'start');
    assert.equal(argumentOf({ ...bad, start: '0' }), 'stop');
    assert.equal(argumentOf({ ...bad, start: '0', stop: '0' }), 'granularity');
    assert.equal(argumentOf({ ...bad, start: '0', stop: '0', granularity: '1' }), 'fill');
  });

  it('keeps the aggregation method as given and reads fill', () => {
    assert.deepEqual(parseMeasuresQuery({ aggregation: 'rate:max', fill: 'null' }, NOW), {
      aggregation: 'rate:max',
      fill: null,
    });
  });
});
