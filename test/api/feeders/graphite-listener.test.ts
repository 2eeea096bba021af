/**
 * The Graphite listener on real sockets, a real indexer and a real incoming store: lines over
 * TCP (split anywhere across packets) and UDP become measures of the resources the rules name;
 * malformed and unmappable lines are logged and counted without losing their neighbours; a
 * resource the engine refuses does not hold back the others; a full buffer flushes early.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createFeederRegistry, startGraphiteListener } from '../../../src/api/feeders/index.ts';
import type { RunningFeeder } from '../../../src/api/feeders/index.ts';
import { resolveConfig } from '../../../src/config/index.ts';
import { transformResourceId } from '../../../src/grammar/index.ts';
import { sendDatagrams } from '../../support/send-datagrams.ts';
import { warningLogger } from '../../support/warning-logger.ts';
import { createCatchAllPolicy, startApi, type TestApi } from '../harness.ts';

const T0 = 1_767_225_600;

/** Sends `chunks` on one TCP connection, each written on its own, then closes it. */
async function sendTcp(port: number, chunks: readonly string[]): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  for (const chunk of chunks) {
    socket.write(chunk);
    await sleep(5);
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  await new Promise((resolve) => socket.once('close', resolve));
  await sleep(50);
}

describe('Graphite listener', () => {
  let api: TestApi;
  let listener: RunningFeeder;
  const registry = createFeederRegistry({ processFigures: false });
  const { logger, warnings } = warningLogger();

  before(async () => {
    api = await startApi();
    await createCatchAllPolicy(api);
    const settings = resolveConfig([
      {
        graphite: {
          flushSeconds: 3600,
          maxPendingLines: 50,
          maxLineBytes: 100,
          rules: [
            { pattern: '^collectd\\.(?<resource>[^.]+)\\.(?<metric>.+)$' },
            { pattern: '^typo\\.(?<resource>[^.]+)\\.(?<metric>.+)$', resourceType: 'nosuch' },
          ],
        },
      },
    ]).graphite;
    listener = await startGraphiteListener(
      {
        indexer: api.indexer,
        incoming: api.incoming,
        tracker: api.tracker,
        logger,
        registry,
      },
      { ...settings, port: 0 },
    );
  });
  after(async () => {
    await listener.close();
    await api.close();
  });

  const waiting = async (resourceName: string, metric: string) => {
    const id = transformResourceId(resourceName, 'graphite');
    const resource = await api.indexer.getResource('generic', id);
    assert.ok(resource, `resource ${resourceName} exists`);
    const metricId = resource.metrics[metric];
    assert.ok(metricId, `${metric} among ${Object.keys(resource.metrics).join(', ')}`);
    const pending = await api.incoming.readPending(metricId);
    return [...pending.measures.timestamps].map((t, i) => [t / 1e6, pending.measures.values[i]]);
  };

  it('maps TCP lines split anywhere across packets by rule and by component', async () => {
    await sendTcp(listener.address.port, [
      `collectd.web01.load.short`,
      `term 0.5 ${T0}\ncollectd.web01.load.shortterm 0.75 ${T0 + 10}\r\nweb02.cpu.`,
      `user 12 ${T0}\nweb02.cpu.user nan ${T0 + 10}\nweb02.cpu.user 13 ${T0 + 20}`,
    ]);
    await listener.flush();
    assert.deepEqual(await waiting('web01', 'load.shortterm'), [
      [T0, 0.5],
      [T0 + 10, 0.75],
    ]);
    assert.deepEqual(await waiting('web02', 'cpu.user'), [
      [T0, 12],
      [T0 + 20, 13],
    ]);
  });

  it('reads UDP datagrams of several lines', async () => {
    await sendDatagrams(listener.address.port, [`udp1.a 1 ${T0}\nudp1.a 2 ${T0 + 1}`]);
    await listener.flush();
    assert.deepEqual(await waiting('udp1', 'a'), [
      [T0, 1],
      [T0 + 1, 2],
    ]);
  });

  it('logs and counts malformed, overlong and unmappable lines, keeping their neighbours', async () => {
    warnings.length = 0;
    await sendTcp(listener.address.port, [
      `ok1.m 1 ${T0}\nbroken\nok1.m two ${T0}\nlonely 1 ${T0}\n`,
      'x'.repeat(150),
      `${'y'.repeat(150)} 1 ${T0}\nok1.m 3 ${T0 + 5}\n`,
    ]);
    await listener.flush();
    assert.deepEqual(await waiting('ok1', 'm'), [
      [T0, 1],
      [T0 + 5, 3],
    ]);
    const reasons = warnings.map((fields) => String(fields.reason));
    assert.equal(reasons.length, 4, reasons.join(' | '));
    assert.match(reasons.join(' | '), /no value after the path/);
    assert.match(reasons.join(' | '), /not a number/);
    assert.match(reasons.join(' | '), /no metric name is left/);
    assert.match(reasons.join(' | '), /longer than 100 bytes/);
    assert.match(
      await registry.metrics(),
      /orzo_feeder_malformed_total\{feeder="graphite",transport="tcp"\} 4/,
    );
  });

  it('stores the other resources of a flush when the engine refuses one', async () => {
    await sendTcp(listener.address.port, [`typo.r1.m 1 ${T0}\nfine.m 2 ${T0}\n`]);
    await listener.flush();
    assert.deepEqual(await waiting('fine', 'm'), [[T0, 2]]);
    assert.match(
      await registry.metrics(),
      /orzo_feeder_dropped_total\{feeder="graphite",reason="refused"\} 1/,
    );
  });

  it('flushes early once maxPendingLines wait, without losing a line', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `bulk.m ${String(i)} ${String(T0 + i)}\n`);
    const chunks = [];
    for (let i = 0; i < lines.length; i += 40) chunks.push(lines.slice(i, i + 40).join(''));
    await sendTcp(listener.address.port, chunks);
    await sleep(200);
    // NOTE: no flush called (the timer's is an hour): the listener flushed by itself.
    const stored = await waiting('bulk', 'm');
    assert.ok(stored.length >= 50, `${String(stored.length)} stored before the last flush`);
    await listener.flush();
    const all = await waiting('bulk', 'm');
    assert.deepEqual(
      all.map(([, value]) => value),
      lines.map((_, i) => i),
    );
  });
});
