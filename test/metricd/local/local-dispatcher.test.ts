/** Local dispatch against a supervisor written here: sizing, hand-out, hand-back, early scans. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { emptyFigures } from '../../../src/chef/index.ts';
import type { MetricLocks } from '../../../src/lock/index.ts';
import { LocalDispatcher, type ToWorker } from '../../../src/metricd/index.ts';

function setup(options: {
  workers: number;
  pending: string[][];
  maxBlockSize?: number;
  locks?: Pick<MetricLocks, 'stripeOf'>;
}) {
  const sent: { index: number; message: ToWorker }[] = [];
  const ready = new Set<number>();
  let scans = 0;
  let listings = 0;
  const supervisor = {
    size: options.workers,
    isReady: (index: number) => ready.has(index),
    send: (index: number, message: ToWorker) => {
      if (!ready.has(index)) return false;
      sent.push({ index, message });
      return true;
    },
    start: () => undefined,
    status: () => [],
  };
  const dispatcher = new LocalDispatcher({
    supervisor,
    incoming: {
      sackCount: () => Promise.resolve(options.pending.length),
      listMetrics: (sack: number) => {
        listings++;
        return Promise.resolve(options.pending[sack] ?? []);
      },
    },
    config: { minBlockSize: 1, maxBlockSize: options.maxBlockSize ?? 1000 },
    ...(options.locks === undefined ? {} : { locks: options.locks }),
  });
  void dispatcher.start({
    requestScan: () => {
      scans++;
    },
  });
  const blocks = () =>
    sent.flatMap(({ index, message }) =>
      message.type === 'block' ? [{ index, id: message.blockId, metrics: message.metricIds }] : [],
    );
  return { dispatcher, ready, blocks, scans: () => scans, listings: () => listings };
}

describe('LocalDispatcher', () => {
  it('sizes blocks so that every worker gets one and hands one to each ready worker', async () => {
    const { dispatcher, ready, blocks } = setup({
      workers: 2,
      pending: [['a', 'b', 'c'], [], ['d', 'e']],
    });
    ready.add(0);
    ready.add(1);
    assert.deepEqual(await dispatcher.scan(), { pendingMetrics: 5, blockSize: 3 });
    assert.deepEqual(
      blocks().map(({ index, metrics }) => [index, metrics]),
      [
        [0, ['a', 'b', 'c']],
        [1, ['d', 'e']],
      ],
    );
    assert.deepEqual(dispatcher.queued(), []);
  });

  it('gives each worker the metrics of its own stripes where locks are shared by stripe', async () => {
    // NOTE: the stripe is the number in the name; a worker's are those equal to it mod 2.
    const stripeOf = (id: string) => Number(id.slice(1));
    const { dispatcher, ready, blocks } = setup({
      workers: 2,
      pending: [
        ['m3', 'm0', 'm2'],
        ['m1', 'm5', 'm4'],
      ],
      locks: { stripeOf },
    });
    ready.add(0);
    ready.add(1);
    await dispatcher.scan();
    assert.deepEqual(
      blocks().map(({ index, metrics }) => [index, metrics]),
      [
        [0, ['m0', 'm2', 'm4']],
        [1, ['m3', 'm1', 'm5']],
      ],
    );
  });

  it('leaves the rest of the list in its order when a worker takes its stripes', async () => {
    const stripeOf = (id: string) => Number(id.slice(1));
    const { dispatcher, ready, blocks } = setup({
      workers: 2,
      pending: [['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm8']],
      locks: { stripeOf },
    });
    ready.add(0);
    await dispatcher.scan();
    assert.deepEqual(blocks()[0], { index: 0, id: 1, metrics: ['m0', 'm2', 'm4', 'm6'] });
    assert.deepEqual(dispatcher.queued(), ['m1', 'm3', 'm5', 'm8']);
  });

  it('gives a worker none of whose stripes are left a block from the front of the list', async () => {
    const stripeOf = (id: string) => Number(id.slice(1));
    const { dispatcher, ready, blocks } = setup({
      workers: 2,
      pending: [['m1', 'm3', 'm5', 'm7']],
      locks: { stripeOf },
    });
    ready.add(0);
    await dispatcher.scan();
    assert.deepEqual(blocks()[0], { index: 0, id: 1, metrics: ['m1', 'm3'] });
    assert.deepEqual(dispatcher.queued(), ['m5', 'm7']);
  });

  it('leaves the metrics in hand out of the next scan, and hands the rest out when a worker is free', async () => {
    const pending = [['a', 'b', 'c', 'd']];
    const { dispatcher, ready, blocks, scans } = setup({ workers: 2, pending });
    ready.add(0);
    await dispatcher.scan();
    assert.deepEqual(blocks()[0]!.metrics, ['a', 'b']);
    assert.deepEqual(dispatcher.queued(), ['c', 'd']);
    ready.add(1);
    assert.deepEqual(await dispatcher.scan(), { pendingMetrics: 4, blockSize: 1 });
    assert.deepEqual(blocks()[1], { index: 1, id: 2, metrics: ['c'] }, 'a and b are in hand');
    assert.deepEqual(dispatcher.queued(), ['d']);
    const first = blocks()[0]!;
    dispatcher.onDispatchMessage(0, {
      type: 'done',
      blockId: first.id,
      figures: emptyFigures(),
      left: [],
    });
    assert.deepEqual(blocks()[2], { index: 0, id: 3, metrics: ['d'] });
    assert.equal(scans(), 1, 'the list ran dry: a scan is asked for');
    const { workers } = await dispatcher.status();
    assert.deepEqual(workers, []);
  });

  it('lists nothing while every worker is busy and the list holds more, until the list runs dry', async () => {
    const pending = [['a', 'b', 'c', 'd']];
    const { dispatcher, ready, blocks, listings } = setup({ workers: 1, pending, maxBlockSize: 2 });
    ready.add(0);
    assert.deepEqual(await dispatcher.scan(), { pendingMetrics: 4, blockSize: 2 });
    assert.deepEqual(dispatcher.queued(), ['c', 'd']);
    pending[0]!.push('e');
    assert.deepEqual(await dispatcher.scan(), { pendingMetrics: undefined, blockSize: 2 });
    assert.equal(listings(), 1, 'the worker is busy and the list holds c and d');
    const done = () => {
      const block = blocks().at(-1)!;
      dispatcher.onDispatchMessage(0, {
        type: 'done',
        blockId: block.id,
        figures: emptyFigures(),
        left: [],
      });
    };
    done();
    pending[0]!.splice(0, 2);
    assert.deepEqual(blocks().at(-1)!.metrics, ['c', 'd'], 'the next block comes from the list');
    assert.deepEqual(dispatcher.queued(), []);
    assert.deepEqual(await dispatcher.scan(), { pendingMetrics: 3, blockSize: 1 });
    assert.deepEqual(
      dispatcher.queued(),
      ['e'],
      'the list ran dry: a scan lists though all are busy',
    );
    done();
    assert.deepEqual(blocks().at(-1)!.metrics, ['e']);
  });

  it('puts back what a drained block left, and what a dead worker held, at the front', async () => {
    const { dispatcher, ready, blocks } = setup({ workers: 1, pending: [['a', 'b', 'c']] });
    ready.add(0);
    await dispatcher.scan();
    const block = blocks()[0]!;
    ready.delete(0);
    dispatcher.onDispatchMessage(0, {
      type: 'done',
      blockId: block.id,
      figures: emptyFigures(),
      left: ['b', 'c'],
    });
    assert.deepEqual(dispatcher.queued(), ['b', 'c']);
    ready.add(0);
    dispatcher.onReady();
    assert.deepEqual(blocks()[1]!.metrics, ['b', 'c']);
    assert.equal(dispatcher.onExit(0), 2);
    assert.deepEqual(dispatcher.queued(), ['b', 'c']);
  });

  it('ignores the answer to a block it no longer holds, and hands out nothing once stopped', async () => {
    const { dispatcher, ready, blocks } = setup({ workers: 1, pending: [['a']] });
    ready.add(0);
    await dispatcher.scan();
    dispatcher.onDispatchMessage(0, {
      type: 'done',
      blockId: 99,
      figures: emptyFigures(),
      left: ['x'],
    });
    assert.deepEqual(dispatcher.queued(), []);
    assert.equal(dispatcher.idleCount(), 0);
    await dispatcher.stop();
    dispatcher.onExit(0);
    dispatcher.onReady();
    assert.equal(blocks().length, 1);
    assert.equal(dispatcher.assign(0, ['z']), false);
  });
});
