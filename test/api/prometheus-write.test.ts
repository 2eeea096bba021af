/**
 * `POST /v1/prometheus/write`: remote-write bodies mapped onto `prometheus` resources as Gnocchi
 * maps them, and with labels in metric names when so configured.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import snappy from 'snappy';

import { WRITE_REQUEST } from '../../src/api/ingest/remote-write-body.ts';

import { transformResourceId } from '../../src/grammar/index.ts';
import { ADMIN, createCatchAllPolicy, startApi, type TestApi } from './harness.ts';

const T0_MS = 1_767_225_600_000;

/** A series as the test writes it. */
interface Series {
  readonly labels: Record<string, string>;
  readonly samples: readonly [number, number][];
}

/** A remote-write body, as Prometheus sends it. */
function body(series: readonly Series[]): Buffer {
  const message = {
    timeseries: series.map(({ labels, samples }) => ({
      labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
      samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
    })),
  };
  return snappy.compressSync(Buffer.from(WRITE_REQUEST.encode(message).finish()));
}

/** Prometheus' staleness marker. */
const STALE = new DataView(Uint8Array.of(0x7f, 0xf0, 0, 0, 0, 0, 0, 2).buffer).getFloat64(0);

for (const labelsInName of [false, true]) {
  describe(`Prometheus remote write${labelsInName ? ', labels in names' : ''}`, () => {
    let api: TestApi;

    before(async () => {
      api = await startApi({ api: { prometheusLabelsInName: labelsInName } });
      await createCatchAllPolicy(api);
    });
    after(() => api.close());

    const write = (payload: Buffer, authorization: string | null = ADMIN) =>
      api.app.inject({
        method: 'POST',
        url: '/v1/prometheus/write',
        headers: {
          ...(authorization === null ? {} : { authorization }),
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
        },
        payload,
      });
    const waiting = async (originalId: string, metric: string) => {
      const resource = await api.indexer.getResource(
        'prometheus',
        transformResourceId(originalId, 'admin'),
      );
      assert.ok(resource, `resource ${originalId}`);
      const id = resource.metrics[metric];
      assert.ok(id, `${metric} among ${Object.keys(resource.metrics).join(', ')}`);
      const pending = await api.incoming.readPending(id);
      return [...pending.measures.timestamps].map((t, i) => [t, pending.measures.values[i]]);
    };

    it('stores samples under job@instance resources, made with their type on first use', async () => {
      const response = await write(
        body([
          {
            labels: { __name__: 'up', job: 'node', instance: 'h1:9100' },
            samples: [
              [T0_MS, 1],
              [T0_MS + 15_000, STALE],
              [T0_MS + 30_000, 0],
            ],
          },
          { labels: { __name__: 'go_goroutines' }, samples: [[T0_MS, 12]] },
          // NOTE: a NaN value is a measure (Prometheus' own NaN, not its staleness marker).
          {
            labels: { __name__: 'ratio', job: 'node', instance: 'h1:9100' },
            samples: [[T0_MS, NaN]],
          },
          { labels: { __name__: 'empty', job: 'node', instance: 'h1:9100' }, samples: [] },
        ]),
      );
      assert.equal(response.statusCode, 202, response.body);
      const type = await api.indexer.getResourceType('prometheus');
      assert.deepEqual(Object.keys(type?.attributes ?? {}).sort(), ['instance', 'job']);
      assert.deepEqual(await waiting('node@h1:9100', 'up'), [
        [T0_MS * 1000, 1],
        [(T0_MS + 30_000) * 1000, 0],
      ]);
      assert.deepEqual(await waiting('none@none', 'go_goroutines'), [[T0_MS * 1000, 12]]);
      assert.deepEqual(await waiting('node@h1:9100', 'ratio'), [[T0_MS * 1000, NaN]]);
      const resource = await api.indexer.getResource(
        'prometheus',
        transformResourceId('node@h1:9100', 'admin'),
      );
      assert.deepEqual(resource?.attributes, { job: 'node', instance: 'h1:9100' });
      assert.equal(resource.metrics.empty, undefined, 'a series without samples makes nothing');
    });

    it(
      labelsInName
        ? 'keeps series that differ by labels apart, named with their labels sorted'
        : 'lets series that differ only by labels collide, the last one winning, as Gnocchi',
      async () => {
        const bucket = (le: string, value: number): Series => ({
          labels: { __name__: 'req_bucket', job: 'api', instance: 'a', le, path: '/v1' },
          samples: [[T0_MS, value]],
        });
        const response = await write(body([bucket('0.1', 3), bucket('+Inf', 7)]));
        assert.equal(response.statusCode, 202, response.body);
        if (labelsInName) {
          assert.deepEqual(await waiting('api@a', 'req_bucket@le=0.1,path=_v1'), [
            [T0_MS * 1000, 3],
          ]);
          assert.deepEqual(await waiting('api@a', 'req_bucket@le=+Inf,path=_v1'), [
            [T0_MS * 1000, 7],
          ]);
        } else {
          assert.deepEqual(await waiting('api@a', 'req_bucket'), [[T0_MS * 1000, 7]]);
        }
      },
    );

    it('refuses a body that is not a snappy WriteRequest, or a series without a name', async () => {
      const garbage = await write(Buffer.from('not snappy at all'));
      assert.equal(garbage.statusCode, 400);
      assert.match(garbage.body, /WriteRequest/);
      const notProtobuf = await write(snappy.compressSync(Buffer.from([0xff, 0xff, 0xff])));
      assert.equal(notProtobuf.statusCode, 400);
      const nameless = await write(body([{ labels: { job: 'x' }, samples: [[T0_MS, 1]] }]));
      assert.equal(nameless.statusCode, 400);
      assert.match(nameless.body, /__name__/);
      assert.equal(
        await api.indexer.getResource('prometheus', transformResourceId('x@none', 'admin')),
        undefined,
      );
    });

    it('needs a caller', async () => {
      const response = await write(body([]), null);
      assert.equal(response.statusCode, 401);
    });
  });
}
