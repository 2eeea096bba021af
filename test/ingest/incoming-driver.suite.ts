/**
 * The conformance suite every incoming driver passes. A driver test calls
 * `runIncomingDriverSuite(name, makeDriver, { gaps })`; `makeDriver` returns a fresh, isolated,
 * uninitialised backend and a cleanup, and `gaps` lists what the backend does not do, with why.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { InvalidDataError } from '../../src/carbonara/errors.ts';
import { toGnocchiStorageStatus } from '../../src/ingest/backlog.ts';
import {
  IncomingNotInitializedError,
  SackCountChangeRefusedError,
} from '../../src/ingest/errors.ts';
import type { IncomingDriver, NewBatch } from '../../src/ingest/incoming-driver.ts';
import { Incoming } from '../../src/ingest/incoming.ts';
import {
  encodedMeasureBatchBytes,
  encodeMeasureBatch,
} from '../../src/ingest/measure-batch-codec.ts';
import { sackOfMetric, type Sack } from '../../src/ingest/sack.ts';

/** A fresh backend for one test. */
export interface DriverFixture {
  readonly driver: IncomingDriver;
  cleanup(): Promise<void>;
}

/** Something a backend does not do, and why. */
export interface DriverGap {
  /** The optional driver member the backend lacks. */
  readonly feature: keyof IncomingDriver;
  readonly reason: string;
}

/** Options of {@link runIncomingDriverSuite}. */
export interface SuiteOptions {
  readonly gaps?: readonly DriverGap[];
}

const SACKS = 4;
/** Metric ids chosen so that A and B share sack 1 and C sits in sack 2 (of 4). */
const A = '00000000-0000-0000-0000-000000000001';
const B = '00000000-0000-0000-0000-000000000005';
const C = '00000000-0000-0000-0000-000000000002';
const sackOf = (metricId: string): Sack => sackOfMetric(metricId, SACKS);

/** A batch whose values all equal `tag`, so that tests can tell batches apart. */
export function taggedBatch(metricId: string, tag: number, size = 3, sacks = SACKS): NewBatch {
  const timestamps = Float64Array.from({ length: size }, (_, i) => (tag * 100 + i) * 1_000_000);
  const values = new Float64Array(size).fill(tag);
  const data = encodeMeasureBatch({ timestamps, values });
  return { metricId, sack: sackOfMetric(metricId, sacks), data, measures: size };
}

/** Runs the conformance suite against a driver. */
export function runIncomingDriverSuite(
  name: string,
  makeDriver: () => Promise<DriverFixture>,
  options: SuiteOptions = {},
): void {
  describe(`incoming driver conformance: ${name}`, () => {
    let fixture: DriverFixture;
    let driver: IncomingDriver;
    beforeEach(async () => {
      fixture = await makeDriver();
      driver = fixture.driver;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const ready = async (): Promise<IncomingDriver> => {
      await driver.setSackCount(SACKS);
      return driver;
    };
    const tagsOf = (batches: readonly { data: Uint8Array }[]) =>
      batches.map(({ data }) => (data.at(-1) === undefined ? NaN : decodeTag(data)));

    describe('sack count', () => {
      it('is unset before upgrade, then stored', async () => {
        assert.equal(await driver.getSackCount(), undefined);
        await driver.setSackCount(SACKS);
        assert.equal(await driver.getSackCount(), SACKS);
        await driver.setSackCount(SACKS);
        assert.equal(await driver.getSackCount(), SACKS);
      });

      it('changes while nothing waits, and refuses to while measures wait', async () => {
        await driver.setSackCount(8);
        await driver.setSackCount(SACKS);
        await driver.addBatches([taggedBatch(A, 1)]);
        await assert.rejects(driver.setSackCount(8), SackCountChangeRefusedError);
        assert.equal(await driver.getSackCount(), SACKS);
        assert.equal((await driver.readBatches(sackOf(A), A)).length, 1);
      });

      it('refuses counts outside [1, 65535]', async () => {
        for (const sacks of [0, 65536, 2.5])
          await assert.rejects(driver.setSackCount(sacks), RangeError);
      });
    });

    describe('batches', () => {
      it('lists a metric in its own sack only while it has batches', async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1)]);
        await driver.addBatches([taggedBatch(C, 2)]);
        assert.deepEqual(await driver.listMetrics(sackOf(A)), [A]);
        assert.deepEqual(await driver.listMetrics(sackOf(C)), [C]);
        assert.deepEqual(await driver.listMetrics({ number: 0, total: SACKS }), []);
        const read = await driver.readBatches(sackOf(A), A);
        await driver.deleteBatches(
          sackOf(A),
          A,
          read.map((b) => b.handle),
        );
        assert.deepEqual(await driver.listMetrics(sackOf(A)), []);
      });

      it('reads back exactly the bytes and counts written', async () => {
        await ready();
        const written = [taggedBatch(A, 1, 1), taggedBatch(A, 2, 5), taggedBatch(A, 3, 2)];
        for (const batch of written) await driver.addBatches([batch]);
        const read = await driver.readBatches(sackOf(A), A);
        assert.deepEqual(sortedTags(tagsOf(read)), [1, 2, 3]);
        for (const batch of read) {
          const original = written.find((w) => decodeTag(w.data) === decodeTag(batch.data));
          assert.deepEqual(Buffer.from(batch.data), Buffer.from(original?.data ?? []));
          assert.equal(batch.measures, original?.measures);
        }
        assert.deepEqual(await driver.readBatches(sackOf(B), B), []);
      });

      it('writes many metrics in one call', async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1), taggedBatch(B, 2), taggedBatch(C, 3)]);
        assert.deepEqual((await driver.listMetrics(sackOf(A))).sort(), [A, B].sort());
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(B), B)), [2]);
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(C), C)), [3]);
      });

      it('deletes exactly what was read: a batch written meanwhile survives', async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1)]);
        await driver.addBatches([taggedBatch(A, 2)]);
        const read = await driver.readBatches(sackOf(A), A);
        await driver.addBatches([taggedBatch(A, 3)]);
        await driver.deleteBatches(
          sackOf(A),
          A,
          read.map((b) => b.handle),
        );
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(A), A)), [3]);
        assert.deepEqual(await driver.listMetrics(sackOf(A)), [A]);
      });

      it('deletes a leading part of a read when reading with a limit', async () => {
        await ready();
        for (const tag of [1, 2, 3]) await driver.addBatches([taggedBatch(A, tag)]);
        const first = await driver.readBatches(sackOf(A), A, { limit: 2 });
        assert.equal(first.length, 2);
        await driver.deleteBatches(
          sackOf(A),
          A,
          first.map((b) => b.handle),
        );
        const rest = await driver.readBatches(sackOf(A), A);
        assert.deepEqual(sortedTags([...tagsOf(first), ...tagsOf(rest)]), [1, 2, 3]);
      });

      it('treats a repeated delete as done, sparing later batches', async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1)]);
        const read = await driver.readBatches(sackOf(A), A);
        await driver.deleteBatches(
          sackOf(A),
          A,
          read.map((b) => b.handle),
        );
        await driver.addBatches([taggedBatch(A, 2)]);
        await driver.deleteBatches(
          sackOf(A),
          A,
          read.map((b) => b.handle),
        );
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(A), A)), [2]);
      });

      it('loses and duplicates nothing with concurrent writers and a reader', async () => {
        await ready();
        const writers = 4;
        const perWriter = 15;
        const state = { writing: true };
        const seen: number[] = [];
        const reader = (async () => {
          for (;;) {
            const done = !state.writing;
            const read = await driver.readBatches(sackOf(A), A);
            seen.push(...tagsOf(read));
            await driver.deleteBatches(
              sackOf(A),
              A,
              read.map((b) => b.handle),
            );
            if (done && read.length === 0) return;
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i++)
              await driver.addBatches([taggedBatch(A, w * 100 + i + 1, 2)]);
          }),
        );
        state.writing = false;
        await reader;
        const expected = Array.from(
          { length: writers * perWriter },
          (_, k) => Math.floor(k / perWriter) * 100 + (k % perWriter) + 1,
        );
        assert.deepEqual(sortedTags(seen), sortedTags(expected));
        assert.deepEqual(await driver.listMetrics(sackOf(A)), []);
      });
    });

    describe('backlog', () => {
      it('counts metrics, batches and measures per sack, in total and per metric', async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1, 2), taggedBatch(C, 2, 5)]);
        await driver.addBatches([taggedBatch(A, 3, 4), taggedBatch(B, 4, 1)]);
        const backlog = await driver.backlog(SACKS, { details: true });
        assert.deepEqual(
          { metrics: backlog.metrics, batches: backlog.batches, measures: backlog.measures },
          { metrics: 3, batches: 4, measures: 12 },
        );
        assert.deepEqual(backlog.sacks, [
          { sack: 1, metrics: 2, batches: 3, measures: 7 },
          { sack: 2, metrics: 1, batches: 1, measures: 5 },
        ]);
        assert.deepEqual(Object.fromEntries(backlog.details ?? []), {
          [A]: { batches: 2, measures: 6 },
          [B]: { batches: 1, measures: 1 },
          [C]: { batches: 1, measures: 5 },
        });
        assert.equal((await driver.backlog(SACKS)).details, undefined);
      });

      it('is empty when nothing waits', async () => {
        await ready();
        assert.deepEqual(await driver.backlog(SACKS), {
          metrics: 0,
          batches: 0,
          measures: 0,
          sacks: [],
        });
      });
    });

    describe('sack listings', () => {
      const gap = options.gaps?.find((g) => g.feature === 'listBatches');
      const skip = gap?.reason ?? false;
      const listBatches = (sack: Sack) => {
        assert.ok(driver.listBatches !== undefined);
        return driver.listBatches(sack);
      };

      it('lists every metric of a sack with its batches, oldest first', { skip }, async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1), taggedBatch(C, 2)]);
        await driver.addBatches([taggedBatch(B, 3)]);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await driver.addBatches([taggedBatch(A, 4)]);
        const listed = await listBatches(sackOf(A));
        assert.deepEqual([...listed.keys()].sort(), [A, B]);
        const read = await driver.readBatches(sackOf(A), A);
        assert.deepEqual(
          listed.get(A),
          read.map(({ handle }) => handle),
        );
        assert.deepEqual(tagsOf(read), [1, 4]);
        assert.deepEqual([...(await listBatches(sackOf(C))).keys()], [C]);
        assert.equal((await listBatches({ number: 0, total: SACKS })).size, 0);
      });

      it('reads only what was listed, less what was consumed since', { skip }, async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1)]);
        await driver.addBatches([taggedBatch(A, 2)]);
        const listed = (await listBatches(sackOf(A))).get(A) ?? [];
        await driver.addBatches([taggedBatch(A, 3)]);
        const [first] = await driver.readBatches(sackOf(A), A, { limit: 1 });
        assert.ok(first !== undefined);
        await driver.deleteBatches(sackOf(A), A, [first.handle]);
        const read = await driver.readBatches(sackOf(A), A, { listed });
        assert.deepEqual(tagsOf(read), [2]);
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(A), A, { listed, limit: 0 })), []);
        await driver.deleteBatches(
          sackOf(A),
          A,
          read.map((b) => b.handle),
        );
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(A), A)), [3]);
      });

      it("refuses to read or delete another metric's listed batches", { skip }, async () => {
        await ready();
        await driver.addBatches([taggedBatch(A, 1)]);
        const listed = (await listBatches(sackOf(A))).get(A) ?? [];
        await assert.rejects(driver.readBatches(sackOf(B), B, { listed }), RangeError);
        await assert.rejects(driver.deleteBatches(sackOf(B), B, listed), RangeError);
        assert.deepEqual(tagsOf(await driver.readBatches(sackOf(A), A)), [1]);
      });

      it('serves a block through the Incoming service', { skip }, async () => {
        const incoming = new Incoming(driver);
        await incoming.upgrade(SACKS);
        await driver.addBatches([taggedBatch(A, 1), taggedBatch(C, 2)]);
        const listed = await incoming.listPendingBatches([A, B, C]);
        assert.ok(listed !== undefined);
        assert.deepEqual(
          [A, B, C].map((id) => listed.get(id)?.length),
          [1, 0, 1],
        );
        const pending = await incoming.readPending(C, { listed: listed.get(C) ?? [] });
        assert.equal(pending.measures.timestamps.length, 3);
      });
    });

    describe('notifications', () => {
      const gap = options.gaps?.find((g) => g.feature === 'subscribe');
      it('announces the sack of every write', { skip: gap?.reason ?? false }, async () => {
        await ready();
        const subscribe = driver.subscribe;
        assert.ok(subscribe !== undefined);
        const heard: (number | undefined)[] = [];
        let resolveHeard: () => void = () => undefined;
        const twoHeard = new Promise<void>((resolve) => (resolveHeard = resolve));
        const unsubscribe = await subscribe((sack) => {
          heard.push(sack);
          if (heard.length === 2) resolveHeard();
        });
        await driver.addBatches([taggedBatch(A, 1), taggedBatch(B, 2), taggedBatch(C, 3)]);
        await twoHeard;
        await unsubscribe();
        assert.deepEqual(heard.sort(), [sackOf(A).number, sackOf(C).number].sort());
      });
    });

    describe('the Incoming service', () => {
      it('refuses to work before upgrade', async () => {
        const incoming = new Incoming(driver);
        await assert.rejects(incoming.sackCount(), IncomingNotInitializedError);
        await incoming.upgrade(SACKS);
        assert.equal(await incoming.sackCount(), SACKS);
      });

      it('round-trips measures and skips empty batches', async () => {
        const incoming = new Incoming(driver);
        await incoming.upgrade(SACKS);
        const first = { timestamps: Float64Array.of(3e6, 1e6), values: Float64Array.of(NaN, -1) };
        const second = { timestamps: Float64Array.of(2e6), values: Float64Array.of(Infinity) };
        await incoming.enqueueMeasures(A, first);
        await incoming.enqueueBatches(
          new Map([
            [A, second],
            [C, { timestamps: new Float64Array(0), values: new Float64Array(0) }],
          ]),
        );
        const pending = await incoming.readPending(A);
        assert.equal(pending.handles.length, 2);
        assert.deepEqual(pending.corrupt, []);
        const pairs = [...pending.measures.timestamps].map((ts, i) => [
          ts,
          pending.measures.values[i],
        ]);
        assert.deepEqual(
          pairs.sort(([x], [y]) => (x ?? 0) - (y ?? 0)),
          [
            [1e6, -1],
            [2e6, Infinity],
            [3e6, NaN],
          ],
        );
        assert.deepEqual(await incoming.listMetrics(sackOf(C).number), []);
        await incoming.deletePending(A, pending.handles);
        assert.deepEqual(await incoming.listMetrics(sackOf(A).number), []);
      });

      it('reports corrupt batches among the handles to delete', async () => {
        const incoming = new Incoming(driver);
        await incoming.upgrade(SACKS);
        // NOTE: as long as a batch of one measure (a file driver passes over a shorter one for
        // a while, as one still being written), but not a batch.
        const garbage = new Uint8Array(encodedMeasureBatchBytes(1)).fill(0xc1);
        await driver.addBatches([{ metricId: A, sack: sackOf(A), data: garbage, measures: 1 }]);
        await incoming.enqueueMeasures(A, {
          timestamps: Float64Array.of(0),
          values: Float64Array.of(7),
        });
        const pending = await incoming.readPending(A);
        assert.equal(pending.handles.length, 2);
        assert.equal(pending.corrupt.length, 1);
        assert.ok(pending.corrupt[0]?.error instanceof InvalidDataError);
        assert.deepEqual([...pending.measures.values], [7]);
        await incoming.deletePending(A, pending.handles);
        assert.equal((await incoming.readPending(A)).handles.length, 0);
      });

      it('discards everything waiting for a metric, and reports the backlog', async () => {
        const incoming = new Incoming(driver);
        await incoming.upgrade(SACKS);
        for (const tag of [1, 2, 3]) await driver.addBatches([taggedBatch(A, tag)]);
        await driver.addBatches([taggedBatch(B, 4)]);
        const status = toGnocchiStorageStatus(await incoming.backlog({ details: true }));
        assert.deepEqual(status, {
          summary: { metrics: 2, measures: 4 },
          measures_to_process: { [A]: 3, [B]: 1 },
        });
        assert.equal(await incoming.discardPending(A), 3);
        assert.deepEqual(await incoming.listMetrics(sackOf(A).number), [B]);
      });
    });
  });
}

/** The tag of a batch made by {@link taggedBatch}: its last value. */
export function decodeTag(data: Uint8Array): number {
  return Buffer.from(data).readDoubleLE(data.length - 8);
}

function sortedTags(tags: readonly number[]): number[] {
  return [...tags].sort((x, y) => x - y);
}
