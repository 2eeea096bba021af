import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  deriveArchivePolicyItem,
  type ArchivePolicyItem,
} from '../../src/archive-policy/archive-policy-item.ts';
import { archivePolicyItemToJson } from '../../src/archive-policy/archive-policy-json.ts';
import {
  blockSize,
  createArchivePolicy,
  definitionByGranularity,
  effectiveBackWindow,
  findArchivePolicyItem,
  hasRateAggregation,
  maxTimespan,
  type ArchivePolicy,
  type ArchivePolicyInput,
} from '../../src/archive-policy/archive-policy.ts';
import { InvalidArchivePolicyError, type InputPath } from '../../src/archive-policy/errors.ts';

const DEFAULTS = ['mean', 'min', 'max', 'sum', 'std', 'count'];
const OPTIONS = { defaultAggregationMethods: DEFAULTS };
const S = 1_000_000;
const H = 3600 * S;
const DAY = 24 * H;

function create(input: Record<string, unknown>): ArchivePolicy {
  return createArchivePolicy(input as unknown as ArchivePolicyInput, OPTIONS);
}

/** The definition of a one-item policy, as the API shows it. */
function itemJson(item: Record<string, unknown>) {
  const [first] = create({ name: 'p', definition: [item] }).definition;
  return archivePolicyItemToJson(first as ArchivePolicyItem);
}

function rejects(input: Record<string, unknown>, message: string, path?: InputPath): void {
  assert.throws(
    () => create(input),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArchivePolicyError);
      assert.equal(error.code, 'INVALID_ARCHIVE_POLICY');
      assert.equal(error.message, message);
      assert.deepEqual(error.path, path);
      return true;
    },
  );
}

describe('createArchivePolicy: definition items (§1.2)', () => {
  const derived: [name: string, item: Record<string, unknown>, expect: object][] = [
    [
      'points and granularity give the timespan',
      { granularity: '1 second', points: 20 },
      { granularity: '0:00:01', points: 20, timespan: '0:00:20' },
    ],
    [
      'a granularity alone means unbounded retention',
      { granularity: '2 second' },
      { granularity: '0:00:02', points: null, timespan: null },
    ],
    [
      'timespan and points give the granularity',
      { timespan: '1 hour', points: 1000 },
      { granularity: '0:00:03.600000', points: 1000, timespan: '1:00:00' },
    ],
    [
      'points derived from a timespan are floored and the timespan recomputed',
      { timespan: '1 hour', granularity: '7s' },
      { granularity: '0:00:07', points: 514, timespan: '0:59:58' },
    ],
    [
      'a number is seconds',
      { granularity: 10, points: 20 },
      { granularity: '0:00:10', points: 20, timespan: '0:03:20' },
    ],
    [
      'all three may be given when they agree',
      { granularity: '1 minute', points: 60, timespan: '1 hour' },
      { granularity: '0:01:00', points: 60, timespan: '1:00:00' },
    ],
    [
      'points are coerced as by int()',
      { granularity: 1, points: '20' },
      { granularity: '0:00:01', points: 20, timespan: '0:00:20' },
    ],
    [
      'fractional points are truncated as by int()',
      { granularity: 1, points: 20.7 },
      { granularity: '0:00:01', points: 20, timespan: '0:00:20' },
    ],
    [
      'a null field counts as absent',
      { granularity: '5 minutes', points: null, timespan: null },
      { granularity: '0:05:00', points: null, timespan: null },
    ],
    [
      'a derived granularity is floored to whole microseconds',
      { timespan: '1 hour', points: 7 },
      { granularity: '0:08:34.285714', points: 7, timespan: '0:59:59.999998' },
    ],
    [
      'the default low policy',
      { granularity: '0:05:00', timespan: '30 days' },
      { granularity: '0:05:00', points: 8640, timespan: '30 days, 0:00:00' },
    ],
  ];
  for (const [name, item, expect] of derived) {
    it(name, () => {
      assert.deepEqual(itemJson(item), expect);
    });
  }

  const refused: [item: Record<string, unknown>, message: string, path?: InputPath][] = [
    [
      { granularity: '1 second', points: 60, timespan: '0:01:01' },
      'timespan ≠ granularity × points',
    ],
    [
      { granularity: '1 second', points: 50, timespan: '1 hour' },
      'timespan ≠ granularity × points',
    ],
    [{ points: 10 }, 'At least two of granularity/points/timespan must be provided'],
    [{ timespan: '1 hour' }, 'At least two of granularity/points/timespan must be provided'],
    [{}, 'At least two of granularity/points/timespan must be provided'],
    [{ granularity: '2 hour', timespan: '1 hour' }, 'Calculated number of points is < 0'],
    [{ granularity: 10, points: 0 }, 'Number of points should be > 0'],
    [{ granularity: 10, points: -1 }, 'Number of points should be > 0'],
    [{ timespan: 0.000001, points: 2 }, 'Granularity should be > 0'],
    [{ granularity: 0, points: 60 }, 'Timespan must be positive', ['definition', 0, 'granularity']],
    [{ granularity: '-1s' }, 'Timespan must be positive', ['definition', 0, 'granularity']],
    [
      { granularity: '1 second', timespan: '1 shenanigan' },
      'Unable to parse timespan',
      ['definition', 0, 'timespan'],
    ],
    [
      { granularity: 1e-7 },
      'Timespan must be a whole number of microseconds',
      ['definition', 0, 'granularity'],
    ],
    [{ granularity: 1, points: '2.5' }, 'expected int', ['definition', 0, 'points']],
    [{ granularity: 1, points: [] }, 'expected int', ['definition', 0, 'points']],
    [{ cowsay: 'moo' }, 'extra keys not allowed', ['definition', 0, 'cowsay']],
    [{ granularity: 1, points: 2 ** 53 }, 'expected int', ['definition', 0, 'points']],
    [{ granularity: '1 day', points: 2 ** 40 }, 'Timespan is too large'],
  ];
  for (const [item, message, path] of refused) {
    it(`refuses ${JSON.stringify(item)}: ${message}`, () => {
      rejects({ name: 'p', definition: [item] }, message, path);
    });
  }

  it('reports the error of the item at its index', () => {
    rejects(
      { name: 'p', definition: [{ granularity: 1 }, { granularity: 'soon' }] },
      'Unable to parse timespan',
      ['definition', 1, 'granularity'],
    );
  });

  it('refuses two items with the same granularity, in float seconds', () => {
    rejects(
      {
        name: 'complex',
        definition: [
          { granularity: '1 second', points: 60 },
          { granularity: '1 second', points: 120 },
        ],
      },
      "More than one archive policy uses granularity `1.0'",
    );
    rejects(
      { name: 'p', definition: [{ granularity: 0.5 }, { granularity: '0:00:00.5' }] },
      "More than one archive policy uses granularity `0.5'",
    );
  });

  it('keeps the items in the order given', () => {
    const policy = create({ name: 'p', definition: [{ granularity: 60 }, { granularity: 1 }] });
    assert.deepEqual(
      policy.definition.map((item) => item.granularity),
      [60 * S, S],
    );
  });
});

describe('deriveArchivePolicyItem', () => {
  it('refuses a granularity that is not positive, as Gnocchi’s model does', () => {
    assert.throws(() => deriveArchivePolicyItem({ granularity: 0 }), {
      message: 'Granularity should be > 0',
    });
    assert.throws(() => deriveArchivePolicyItem({ granularity: -S, points: 3 }), {
      message: 'Granularity should be > 0',
    });
  });

  it('checks agreement before anything else', () => {
    assert.throws(() => deriveArchivePolicyItem({ granularity: -S, points: 0, timespan: 1 }), {
      message: 'timespan ≠ granularity × points',
    });
  });
});

describe('createArchivePolicy: the policy', () => {
  it('builds a frozen policy with resolved, sorted methods', () => {
    const policy = create({
      name: 'medium',
      definition: [{ granularity: '1 second', points: 20 }, { granularity: '2 second' }],
    });
    assert.deepEqual(policy, {
      name: 'medium',
      backWindow: 0,
      definition: [
        { granularity: S, points: 20, timespan: 20 * S },
        { granularity: 2 * S, points: null, timespan: null },
      ],
      aggregationMethods: ['count', 'max', 'mean', 'min', 'std', 'sum'],
    });
    assert.ok(Object.isFrozen(policy));
    assert.ok(Object.isFrozen(policy.definition));
    assert.ok(Object.isFrozen(policy.definition[0]));
    assert.ok(Object.isFrozen(policy.aggregationMethods));
  });

  it('resolves the aggregation methods given', () => {
    const policy = create({
      name: 'rated',
      aggregation_methods: ['rate:mean', 'rate:last'],
      definition: [{ timespan: '1 hour', points: 1000 }],
    });
    assert.deepEqual(policy.aggregationMethods, ['rate:last', 'rate:mean']);
  });

  const backWindows: [input: unknown, backWindow: number][] = [
    [undefined, 0],
    [0, 0],
    [1, 1],
    ['3', 3],
    [1.5, 1],
  ];
  for (const [input, backWindow] of backWindows) {
    it(`reads back_window ${JSON.stringify(input)} as ${backWindow}`, () => {
      const policy = create({ name: 'p', back_window: input, definition: [{ granularity: 1 }] });
      assert.equal(policy.backWindow, backWindow);
    });
  }

  it('accepts any other name, unicode included', () => {
    assert.equal(create({ name: '✔éñ☃', definition: [{ granularity: 60 }] }).name, '✔éñ☃');
    assert.equal(
      create({ name: '😀'.repeat(255), definition: [{ granularity: 1 }] }).name.length,
      510,
    );
  });

  const refused: [input: Record<string, unknown>, message: string, path?: InputPath][] = [
    [
      { name: 'p', back_window: -1, definition: [{ granularity: 1 }] },
      'value must be at least 0',
      ['back_window'],
    ],
    [
      { name: 'p', back_window: 'x', definition: [{ granularity: 1 }] },
      'expected int',
      ['back_window'],
    ],
    [{ name: 'p', definition: [] }, 'length of value must be at least 1', ['definition']],
    [{ name: 'p', definition: 'foobar' }, 'expected a list', ['definition']],
    [{ name: 'p' }, 'required key not provided', ['definition']],
    [{ definition: [{ granularity: 1 }] }, 'required key not provided', ['name']],
    [{ name: 'p', definition: ['1s'] }, 'expected a dictionary', ['definition', 0]],
    [
      { name: 'p', definition: [{ granularity: 1 }], color: 'red' },
      'extra keys not allowed',
      ['color'],
    ],
    [{ name: 42, definition: [{ granularity: 1 }] }, 'expected str', ['name']],
    [
      { name: '', definition: [{ granularity: 1 }] },
      'length of value must be at least 1',
      ['name'],
    ],
    [
      { name: 'x'.repeat(256), definition: [{ granularity: 1 }] },
      'length of value must be at most 255',
      ['name'],
    ],
    [
      { name: 'a/b', definition: [{ granularity: 1 }] },
      "'/' is not supported in archive policy name",
    ],
    [
      { name: 'p', aggregation_methods: 'mean', definition: [{ granularity: 1 }] },
      'expected a list',
      ['aggregation_methods'],
    ],
    [
      { name: 'p', aggregation_methods: ['wtf'], definition: [{ granularity: 1 }] },
      "Invalid value for aggregation_methods: {'wtf'}",
    ],
  ];
  for (const [input, message, path] of refused) {
    it(`refuses ${JSON.stringify(input).slice(0, 80)}: ${message}`, () => {
      rejects(input, message, path);
    });
  }

  it('checks every field before reconciling the definition, as Gnocchi’s schema does', () => {
    rejects(
      {
        name: 'p',
        aggregation_methods: ['wtf'],
        definition: [{ granularity: 1, points: 60, timespan: 61 }],
      },
      "Invalid value for aggregation_methods: {'wtf'}",
    );
  });
});

describe('archive policy helpers', () => {
  const high = create({
    name: 'high',
    definition: [
      { granularity: 1, timespan: '1 hour' },
      { granularity: '1 minute', timespan: '7 days' },
      { granularity: '1 hour', timespan: '365 days' },
    ],
  });
  const rated = create({
    name: 'rated',
    back_window: 2,
    aggregation_methods: ['+rate:max'],
    definition: [{ granularity: '1 hour' }, { granularity: '5 minutes', points: 12 }],
  });

  it('takes the largest granularity as block size', () => {
    assert.equal(blockSize(high), H);
    assert.equal(blockSize(rated), H);
  });

  it('widens the back window by one block when a rate method needs it', () => {
    assert.equal(hasRateAggregation(high), false);
    assert.equal(effectiveBackWindow(high), 0);
    assert.equal(hasRateAggregation(rated), true);
    assert.equal(effectiveBackWindow(rated), 3);
  });

  it('gives the longest retention, or null when one item keeps forever', () => {
    assert.equal(maxTimespan(high), 365 * DAY);
    assert.equal(maxTimespan(rated), null);
  });

  it('orders the items by granularity and finds one by granularity', () => {
    assert.deepEqual(
      definitionByGranularity(rated).map((item) => item.granularity),
      [5 * 60 * S, H],
    );
    assert.equal(findArchivePolicyItem(high, 60 * S)?.points, 10080);
    assert.equal(findArchivePolicyItem(high, 2 * S), undefined);
  });
});
