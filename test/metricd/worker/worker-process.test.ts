/**
 * The worker loop over a channel written here, with a chef that processes metrics one at a time
 * as the test lets it: start, blocks and their answers, drains at every stage, queue blocks, dumps.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';

import { emptyFigures, type ProcessMetricsOptions } from '../../../src/chef/index.ts';
import { resolveConfig } from '../../../src/config/index.ts';
import {
  WorkerProcess,
  type BlockSource,
  type FromWorker,
  type ParentChannel,
  type WorkerServices,
} from '../../../src/metricd/index.ts';
import { OpTracker } from '../../../src/optracker/index.ts';

const CONFIG = resolveConfig([{ dataDir: '/nonexistent' }]);

class Channel extends EventEmitter implements ParentChannel {
  readonly sent: FromWorker[] = [];
  connected = true;
  send = (message: FromWorker): boolean => {
    this.sent.push(message);
    return true;
  };
  types(): string[] {
    return this.sent.map((message) => message.type).filter((type) => type !== 'beat');
  }
}

/** A chef whose every metric waits for `step()`. */
function steppedServices() {
  const waiting: (() => void)[] = [];
  let closed = 0;
  let run:
    | ((
        block: { metricIds: string[]; epoch: number },
        run: { jobId: string; rerun: boolean },
      ) => Promise<void>)
    | undefined;
  let sourceClosed = 0;
  const services: WorkerServices = {
    chef: {
      processMetrics: async (metricIds: readonly string[], options: ProcessMetricsOptions) => {
        const figures = emptyFigures();
        for (const metricId of metricIds) {
          if (options.shouldStop?.() === true) break;
          await new Promise<void>((resolve) => waiting.push(resolve));
          figures.metricsProcessed++;
          options.onMetric?.(metricId, emptyFigures());
        }
        return figures;
      },
      recentDamage: () => [],
    },
    tracker: new OpTracker({ config: CONFIG.ops, logger: { warn: () => undefined } }),
    close: () => {
      closed++;
      return Promise.resolve();
    },
  };
  return {
    services,
    withQueue: (): WorkerServices => ({
      ...services,
      consumeBlocks: (runBlock): BlockSource => {
        run = runBlock;
        return {
          close: () => {
            sourceClosed++;
            return Promise.resolve();
          },
        };
      },
    }),
    step: async () => {
      await until(() => waiting.length > 0);
      waiting.shift()?.();
      await tick();
    },
    closed: () => closed,
    sourceClosed: () => sourceClosed,
    runQueued: (metricIds: string[], jobId: string, rerun: boolean) =>
      run?.({ metricIds, epoch: 1 }, { jobId, rerun }),
  };
}

async function tick(): Promise<void> {
  await new Promise(setImmediate);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await tick();
}

function start(services: WorkerServices) {
  const channel = new Channel();
  const worker = new WorkerProcess({
    openServices: () => Promise.resolve(services),
    channel,
    beatMs: 3_600_000,
  });
  return { channel, worker };
}

describe('WorkerProcess', () => {
  it('opens its services on start, says ready, and answers a block with done', async () => {
    const fake = steppedServices();
    const { channel, worker } = start(fake.services);
    assert.equal(worker.state, 'starting');
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    await tick();
    assert.equal(worker.state, 'ready');
    worker.handle({ type: 'block', blockId: 7, metricIds: ['a', 'b'] });
    await fake.step();
    await fake.step();
    assert.deepEqual(channel.types(), ['ready', 'done']);
    const done = channel.sent.find((message) => message.type === 'done');
    assert.deepEqual(done, {
      type: 'done',
      blockId: 7,
      figures: { ...emptyFigures(), metricsProcessed: 2 },
      left: [],
    });
    const beat = channel.sent.findLast((message) => message.type === 'beat');
    assert.equal(beat?.type === 'beat' && beat.figures.metricsProcessed, 2);
    worker.drain();
    assert.equal(await worker.run(), 0);
  });

  it('drains mid-block: finishes the metric in hand, hands back the rest, closes and exits 0', async () => {
    const fake = steppedServices();
    const { channel, worker } = start(fake.services);
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    await tick();
    worker.handle({ type: 'block', blockId: 1, metricIds: ['a', 'b', 'c'] });
    await fake.step();
    worker.handle({ type: 'drain' });
    assert.equal(worker.state, 'draining');
    await fake.step();
    assert.equal(await worker.run(), 0);
    assert.equal(worker.state, 'closed');
    assert.equal(fake.closed(), 1);
    const done = channel.sent.find((message) => message.type === 'done');
    assert.deepEqual(done?.type === 'done' && done.left, ['c']);
  });

  it('drains when its reporter goes away', async () => {
    const fake = steppedServices();
    const { channel, worker } = start(fake.services);
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    await tick();
    channel.connected = false;
    channel.emit('disconnect');
    assert.equal(await worker.run(), 0);
    assert.equal(fake.closed(), 1);
  });

  it('told to drain while opening, exits at once and closes what it opened', async () => {
    const fake = steppedServices();
    const { channel, worker } = start(fake.services);
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    worker.handle({ type: 'drain' });
    assert.equal(await worker.run(), 0);
    await tick();
    assert.equal(fake.closed(), 1);
    assert.deepEqual(channel.types(), []);
  });

  it('runs blocks of the shared queue, telling its reporter when each starts and finishes', async () => {
    const fake = steppedServices();
    const { channel, worker } = start(fake.withQueue());
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    await tick();
    const running = fake.runQueued(['a'], '3-1', true);
    await fake.step();
    await running;
    assert.deepEqual(channel.types(), ['ready', 'block-started', 'block-finished']);
    const finished = channel.sent.find((message) => message.type === 'block-finished');
    assert.equal(finished?.type === 'block-finished' && finished.rerun, true);
    worker.handle({ type: 'drain' });
    assert.equal(await worker.run(), 0);
    assert.equal(fake.sourceClosed(), 1);
  });

  it('answers an op dump request with its tracker’s dump', async () => {
    const fake = steppedServices();
    const { channel, worker } = start(fake.services);
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    await tick();
    worker.handle({ type: 'ops', requestId: 5, dump: 'in-flight' });
    const answer = channel.sent.find((message) => message.type === 'ops');
    assert.equal(answer?.type === 'ops' && answer.requestId, 5);
    assert.equal(answer?.type === 'ops' && answer.dump.num_ops, 0);
    worker.drain();
    await worker.run();
  });

  it('drains and exits when its parent is gone before it heard anything', async () => {
    const fake = steppedServices();
    const worker = new WorkerProcess({
      openServices: () => Promise.resolve(fake.services),
      channel: new Channel(),
      beatMs: 3_600_000,
      isParentAlive: () => false,
    });
    assert.equal(await worker.run(), 0);
    assert.equal(worker.state, 'closed');
  });

  it('notices a parent that dies later, and exits anyway when a metric in hand never ends', async () => {
    const fake = steppedServices();
    let parentAlive = true;
    const worker = new WorkerProcess({
      openServices: () => Promise.resolve(fake.services),
      channel: new Channel(),
      beatMs: 3_600_000,
      isParentAlive: () => parentAlive,
      watchMs: 5,
      orphanGraceMs: 50,
    });
    worker.handle({ type: 'start', index: 0, config: CONFIG });
    await until(() => worker.state === 'ready');
    worker.handle({ type: 'block', blockId: 1, metricIds: ['stuck'] });
    await tick();
    parentAlive = false;
    // NOTE: the worker's timers do not keep a process alive; this test must.
    const keepAlive = setTimeout(() => undefined, 10_000);
    assert.equal(await worker.run(), 1);
    clearTimeout(keepAlive);
    assert.equal(worker.state, 'draining');
  });
});
