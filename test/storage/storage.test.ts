/**
 * The storage service against the naive model (`support/reference-storage.ts`), on every
 * backend: random measures folded in over several calls must read back, for every granularity
 * and method, exactly as the model says, including after a crash and a replay.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import type { ArchivePolicy } from '../../src/archive-policy/index.ts';
import { sortMeasures, splitKeyFor } from '../../src/carbonara/index.ts';
import { parseBundleObjectName } from '../../src/storage/object-name.ts';
import { Storage } from '../../src/storage/storage.ts';
import { referenceSortMeasures, toPoints, type Point } from '../carbonara/reference.ts';
import { ReferenceStorage } from './support/reference-storage.ts';
import {
  BACKENDS,
  HOUR,
  MINUTE,
  S,
  T0,
  testPolicy,
  type Backend,
} from './support/storage-fixtures.ts';

/** A policy, and the shape of the random traffic that exercises it. */
interface Scenario {
  readonly name: string;
  readonly policy: ArchivePolicy;
  /** Range of the moves of the traffic's cursor between calls (µs). */
  readonly advance: readonly [number, number];
  /** Range of the measures' offsets around the cursor (µs), and their step. */
  readonly spread: readonly [number, number];
  readonly step: number;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: '1 s × 10 min and 1 min × 3 h, back window 1',
    policy: testPolicy(
      [
        [S, 600],
        [MINUTE, 180],
      ],
      1,
    ),
    advance: [-90 * S, 40 * MINUTE],
    spread: [-150 * S, 60 * S],
    step: S / 4,
  },
  {
    name: '1 min × 2 h and 1 h × 2 days, back window 0',
    policy: testPolicy(
      [
        [MINUTE, 120],
        [HOUR, 48],
      ],
      0,
    ),
    advance: [-2 * HOUR, 30 * HOUR],
    spread: [-3 * HOUR, HOUR],
    step: 10 * S,
  },
];

const value = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 2, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, -0, 0.1, 0.2) },
);

function callsArbitrary(scenario: Scenario) {
  const [minSpread, maxSpread] = scenario.spread;
  const offset = fc
    .integer({ min: minSpread / scenario.step, max: maxSpread / scenario.step })
    .map((k) => k * scenario.step);
  const call = fc.record({
    advance: fc
      .integer({ min: scenario.advance[0] / S, max: scenario.advance[1] / S })
      .map((s) => s * S),
    points: fc.array(fc.record({ offset, value }), { maxLength: 60 }),
    crash: fc.boolean(),
  });
  return fc.array(call, { minLength: 1, maxLength: 6 });
}

/** Unsorted measures with duplicates, as storage gets them: through `sortMeasures`. */
function measuresOf(points: readonly Point[]) {
  return sortMeasures(
    Float64Array.from(points, (p) => p.ts),
    Float64Array.from(points, (p) => p.value),
  );
}

for (const maker of BACKENDS) {
  describe(`storage service on ${maker.name}`, () => {
    let backend: Backend;
    before(async () => {
      backend = await maker.make();
    });
    after(async () => {
      await backend.cleanup();
    });

    for (const scenario of SCENARIOS) {
      it(`agrees with the model for every granularity and method: ${scenario.name}`, async () => {
        await fc.assert(
          fc.asyncProperty(callsArbitrary(scenario), async (calls) => {
            await checkAgainstModel(backend, scenario.policy, calls);
          }),
          { numRuns: 20, seed: 42, endOnFailure: true },
        );
      });
    }
  });
}

async function checkAgainstModel(
  backend: Backend,
  policy: ArchivePolicy,
  calls: readonly {
    advance: number;
    points: { offset: number; value: number }[];
    crash: boolean;
  }[],
): Promise<void> {
  const storage = new Storage(backend.driver);
  const model = new ReferenceStorage(policy);
  const metricId = randomUUID();
  let cursor = T0 + 7 * HOUR;
  for (const call of calls) {
    cursor = Math.max(0, cursor + call.advance);
    const raw = call.points.map((p) => ({ ts: Math.max(0, cursor + p.offset), value: p.value }));
    const measures = measuresOf(raw);
    const expected = model.add(referenceSortMeasures(raw));
    const [before] = await backend.driver.readObjects(metricId, ['raw']);
    const result = await storage.foldMeasures({ metricId, policy, measures });
    assert.deepEqual({ accepted: result.accepted, dropped: result.dropped }, expected);
    assert.deepEqual(result.corrupt, []);
    if (call.crash && result.accepted > 0) {
      // NOTE: a crash after the splits were written but before the raw buffer: the same measures
      // are processed again from the old buffer.
      const restore =
        before === undefined
          ? { put: new Map(), remove: ['raw'] }
          : { put: new Map([['raw', before]]), remove: [] };
      await backend.driver.updateObjects(metricId, restore);
      const replay = await storage.foldMeasures({ metricId, policy, measures });
      assert.deepEqual({ ...replay, splitsDeleted: 0 }, { ...result, splitsDeleted: 0 });
    }
  }
  await assertMatchesModel(storage, backend, metricId, policy, model);
}

async function assertMatchesModel(
  storage: Storage,
  backend: Backend,
  metricId: string,
  policy: ArchivePolicy,
  model: ReferenceStorage,
): Promise<void> {
  const processed = (await backend.driver.listObjects(metricId)).includes('raw');
  for (const { granularity } of policy.definition) {
    for (const method of policy.aggregationMethods) {
      const read = await storage.getMeasures(metricId, policy, {
        method,
        granularities: [granularity],
      });
      if (!processed) {
        assert.equal(read, undefined);
        continue;
      }
      assert.equal(read?.length, 1);
      assert.deepEqual(
        toPoints(read[0]!.series),
        model.expected(granularity, method),
        `${method} at ${granularity}`,
      );
    }
  }
  for (const name of await backend.driver.listObjects(metricId)) {
    const address = parseBundleObjectName(name);
    if (address === undefined) continue;
    const cutoff = model.cutoff(address.granularity);
    if (cutoff === undefined) continue;
    assert.ok(address.key >= splitKeyFor(cutoff, address.granularity), `${name} has expired`);
  }
}
