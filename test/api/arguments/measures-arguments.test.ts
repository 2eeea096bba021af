import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseMeasuresArguments } from '../../../src/api/arguments/measures-arguments.ts';
import {
  InvalidArgumentValueError,
  InvalidResampleError,
} from '../../../src/api/http/request-errors.ts';
import { InvalidTimespanError } from '../../../src/grammar/index.ts';

const S = 1_000_000;
const NOW = 1_425_652_437 * S;

describe('parseMeasuresArguments', () => {
  it('defaults to mean over every granularity and the whole series', () => {
    assert.deepEqual(parseMeasuresArguments({}, NOW), { aggregation: 'mean' });
  });

  it('reads start and stop in every timestamp form', () => {
    const read = (start: string) => parseMeasuresArguments({ start }, NOW).start;
    assert.equal(read('2015-03-06T14:33:57'), NOW);
    assert.equal(read('2015-03-06 15:33:57+01:00'), NOW);
    assert.equal(read('1425652437'), NOW);
    assert.equal(read('1425652437.5'), NOW + S / 2);
    assert.equal(read('-1 minute'), NOW - 60 * S);
    assert.equal(read('now'), NOW);
    assert.equal(parseMeasuresArguments({ stop: '2015-03' }, NOW).stop, Date.UTC(2015, 2) * 1000);
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
        () => parseMeasuresArguments({ [name]: value }, NOW),
        (error) =>
          error instanceof InvalidArgumentValueError &&
          error.argument === name &&
          error.message === 'Must be a datetime or a timestamp',
      );
    });
  }

  it('reads a granularity as a timespan', () => {
    assert.equal(parseMeasuresArguments({ granularity: '60' }, NOW).granularity, 60 * S);
    assert.equal(parseMeasuresArguments({ granularity: '1 hour' }, NOW).granularity, 3600 * S);
    assert.equal(parseMeasuresArguments({ granularity: '0.5' }, NOW).granularity, S / 2);
  });

  for (const [value, reason] of [
    ['foobar', 'Unable to parse timespan'],
    ['', 'Unable to parse timespan'],
    ['0', 'Timespan must be positive'],
    ['-60', 'Timespan must be positive'],
  ] as const) {
    it(`refuses granularity=${JSON.stringify(value)}: ${reason}`, () => {
      assert.throws(
        () => parseMeasuresArguments({ granularity: value }, NOW),
        (error) =>
          error instanceof InvalidArgumentValueError &&
          error.argument === 'granularity' &&
          error.message === reason,
      );
    });
  }

  it('reads a resample as a timespan or a calendar letter, with a granularity', () => {
    assert.equal(
      parseMeasuresArguments({ granularity: '60', resample: '5m' }, NOW).resample,
      300 * S,
    );
    assert.equal(parseMeasuresArguments({ granularity: '60', resample: 'W' }, NOW).resample, 'W');
    assert.equal(parseMeasuresArguments({ resample: '' }, NOW).resample, undefined);
  });

  it('needs a granularity to resample, checked before anything else', () => {
    for (const args of [{ resample: 'M' }, { resample: '60', granularity: '', start: 'x' }]) {
      assert.throws(
        () => parseMeasuresArguments(args, NOW),
        (error) =>
          error instanceof InvalidResampleError &&
          error.message === 'A granularity must be specified to resample',
      );
    }
  });

  it('refuses a resample that is neither a timespan nor a calendar letter', () => {
    assert.throws(
      () => parseMeasuresArguments({ granularity: '60', resample: 'month', start: 'x' }, NOW),
      (error) =>
        error instanceof InvalidTimespanError && error.message === 'Unable to parse timespan',
    );
    assert.throws(
      () => parseMeasuresArguments({ granularity: '60', resample: '-5' }, NOW),
      (error) =>
        error instanceof InvalidTimespanError && error.message === 'Timespan must be positive',
    );
  });

  it('checks start, stop, granularity, then fill, as Gnocchi validate_qs does', () => {
    const argumentOf = (args: Record<string, string>) => {
      try {
        parseMeasuresArguments(args, NOW);
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
    assert.deepEqual(parseMeasuresArguments({ aggregation: 'rate:max', fill: 'null' }, NOW), {
      aggregation: 'rate:max',
      fill: null,
    });
  });
});
