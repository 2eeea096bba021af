/**
 * The statsd listener on real sockets, a real indexer and a real incoming store: datagrams in,
 * flushed measures of one resource out; malformed messages logged and counted, their neighbours
 * kept; a failed flush kept for the next one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createFeederRegistry, startStatsdListener } from '../../../src/api/feeders/index.ts';
import type { RunningFeeder } from '../../../src/api/feeders/index.ts';
import { resolveConfig } from '../../../src/config/index.ts';
import { transformResourceId } from '../../../src/grammar/index.ts';
import type { MeasureBatch } from '../../../src/ingest/index.ts';
import { sendDatagrams } from '../../support/send-datagrams.ts';
import { warningLogger } from '../../support/warning-logger.ts';
import { ADMIN, createCatchAllPolicy, startApi, type TestApi } from '../harness.ts';

describe('statsd listener', () => {
  let api: TestApi;
  let listener: RunningFeeder;
  const registry = createFeederRegistry({ processFigures: false });
  const { logger, warnings } = warningLogger();
  let clock = 1_767_225_600_000_000;
  let failNextWrite = false;

  before(async () => {
    api = await startApi();
    await createCatchAllPolicy(api);
    const incoming = {
      enqueueBatches: (batches: ReadonlyMap<string, MeasureBatch>) => {
        // NOTE: the real store, failing once on request as a store that is down does.
        if (failNextWrite) {
          failNextWrite = false;
          return Promise.reject(new Error('incoming is down'));
        }
        return api.incoming.enqueueBatches(batches);
      },
    };
    const settings = resolveConfig([
      { statsd: { port: 1, flushSeconds: 3600, userId: 'u1', projectId: 'p1' } },
    ]).statsd;
    listener = await startStatsdListener(
      {
        indexer: api.indexer,
        incoming,
        tracker: api.tracker,
        logger,
        registry,
        now: () => clock,
      },
      { ...settings, port: 0, resourceId: 'statsd-host' },
    );
  });
  after(async () => {
    await listener.close();
    await api.close();
  });

  const resource = async () => {
    const found = await api.indexer.getResource(
      'generic',
      transformResourceId('statsd-host', 'statsd'),
    );
    assert.ok(found, 'the resource exists');
    return found;
  };
  const waiting = async (name: string) => {
    const id = (await resource()).metrics[name];
    assert.ok(id, `${name} exists`);
    const pending = await api.incoming.readPending(id);
    return [...pending.measures.timestamps].map((t, i) => [t, pending.measures.values[i]]);
  };

  it('makes its resource at start, with the configured user and project', async () => {
    const found = await resource();
    assert.equal(found.creator, 'statsd');
    assert.equal(found.userId, 'u1');
    assert.equal(found.projectId, 'p1');
    assert.equal(found.originalResourceId, 'statsd-host');
  });

  it('flushes counters, gauges, timers and sets as metrics name|type', async () => {
    await sendDatagrams(listener.address.port, [
      'hits:3|c\nhits:2|c|@0.5\ntemp:20|g\ntemp:+5|g',
      'lat:12|ms',
      'lat:8|ms\nusers:a|s\nusers:b|s\nusers:a|s',
    ]);
    clock += 10_000_000;
    await listener.flush();
    assert.deepEqual(await waiting('hits|c'), [[clock, 7]]);
    assert.deepEqual(await waiting('temp|g'), [[clock, 25]]);
    assert.deepEqual(
      (await waiting('lat|ms')).map(([, value]) => value),
      [12, 8],
    );
    assert.deepEqual(await waiting('users|s'), [[clock, 2]]);
  });

  it('logs and counts a malformed message and keeps the rest of its datagram', async () => {
    await sendDatagrams(listener.address.port, ['good:1|c\nno-colon\nbad:x|c\ngood:2|c']);
    clock += 10_000_000;
    await listener.flush();
    assert.deepEqual(await waiting('good|c'), [[clock, 3]]);
    const reasons = warnings.map((fields) => fields.reason);
    assert.ok(reasons.includes('no `:` between name and value'), String(reasons));
    assert.ok(reasons.includes("value `x' is not a number"), String(reasons));
    const text = await registry.metrics();
    assert.match(text, /orzo_feeder_malformed_total\{feeder="statsd",transport="udp"\} 2/);
    assert.match(text, /orzo_feeder_messages_total\{feeder="statsd",transport="udp"\} 11/);
  });

  it('keeps a flush that failed and writes it with the next one', async () => {
    await sendDatagrams(listener.address.port, ['retry:4|c']);
    const first = (clock += 10_000_000);
    failNextWrite = true;
    await listener.flush();
    assert.match(await registry.metrics(), /orzo_feeder_flush_failures_total\{feeder="statsd"\} 1/);
    await sendDatagrams(listener.address.port, ['retry:1|c']);
    clock += 10_000_000;
    await listener.flush();
    assert.deepEqual(await waiting('retry|c'), [
      [first, 4],
      [clock, 1],
    ]);
  });

  it('makes a metric again when an operator deleted it between two flushes', async () => {
    await sendDatagrams(listener.address.port, ['again:1|c']);
    clock += 10_000_000;
    await listener.flush();
    const first = (await resource()).metrics['again|c'];
    assert.ok(first);
    const deleted = await api.app.inject({
      method: 'DELETE',
      url: `/v1/metric/${first}`,
      headers: { authorization: ADMIN },
    });
    assert.equal(deleted.statusCode, 204);
    await sendDatagrams(listener.address.port, ['again:2|c']);
    clock += 10_000_000;
    await listener.flush();
    const second = (await resource()).metrics['again|c'];
    assert.ok(second !== undefined && second !== first, 'a new metric');
    assert.deepEqual(await waiting('again|c'), [[clock, 2]]);
  });

  it('writes what it gathered when it is closed', async () => {
    await sendDatagrams(listener.address.port, ['last:9|c']);
    await listener.close();
    assert.deepEqual(
      (await waiting('last|c')).map(([, value]) => value),
      [9],
    );
  });
});
