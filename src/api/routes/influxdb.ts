/**
 * InfluxDB's write API, as Gnocchi serves it under `/v1/influxdb` (`influxdb-write.ts` maps the
 * lines): `GET|HEAD /v1/influxdb/ping` (204), `POST /v1/influxdb/query?q=create database <name>`
 * (creates resource type `<name>` with no attributes, also fine when it exists; any other query
 * 501), `POST /v1/influxdb/write?db=<type>[&precision=…]` (204 once stored).
 *
 * A query answers as InfluxDB does, 200 with `{"results":[{"statement_id":0}]}`, where Gnocchi
 * answers 204: InfluxDB's clients (the Python client's `create_database`, among others) treat
 * anything but 200 as a failure.
 *
 * Beyond Gnocchi: `precision` (`n`, `u`, `ms`, `s`, `m`, `h`) as InfluxDB clients send it,
 * gzip bodies (`Content-Encoding: gzip`), `q` in a form body, and
 * boolean and unsigned field values. A missing `db` type answers 404 instead of failing.
 */
import { gunzipSync } from 'node:zlib';

import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { dateToMicros } from '../../grammar/index.ts';
import { INFLUX_PRECISIONS } from '../../grammar/influx-line.ts';
import { ResourceTypeAlreadyExistsError } from '../../indexer/index.ts';
import { parseResourceTypeInput } from '../../resource/index.ts';
import { requireCaller } from '../http/request-hooks.ts';
import {
  InfluxQueryNotImplementedError,
  InvalidArgumentValueError,
  UndecodableBodyError,
} from '../http/request-errors.ts';
import { DEFAULT_INFLUX_RESOURCE_TAG, writeInfluxBody } from '../services/influxdb-write.ts';
import { ERROR_RESPONSES } from '../views/schemas.ts';
import { findResourceType } from '../services/resources.ts';
import { GNOCCHI_COMPATIBLE_BUILD } from './root.ts';

const NO_CONTENT = { 204: Type.Null(), ...ERROR_RESPONSES };
const QUERY_RESULTS = Type.Object({
  results: Type.Array(Type.Object({ statement_id: Type.Integer() })),
});
const QUERY_ANSWERS = { 200: QUERY_RESULTS, ...ERROR_RESPONSES };
const DONE = { results: [{ statement_id: 0 }] };
const QUERY_QUERY = Type.Object({ q: Type.Optional(Type.String()) });
const WRITE_QUERY = Type.Object({
  db: Type.Optional(Type.String()),
  precision: Type.Optional(Type.String()),
});
const ANY_BODY = Type.Unknown({ description: 'raw bytes' });

/** `create database <name>` or `"<name>"`, with an optional `;`, in any case. */
const CREATE_DATABASE =
  /^\s*create\s+database\s+(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))\s*;?\s*$/i;

/** The database (resource type) name of a `create database` query; otherwise 501. */
function databaseOf(query: string): string {
  const match = CREATE_DATABASE.exec(query);
  if (match === null) throw new InfluxQueryNotImplementedError();
  return match[2] ?? (match[1] ?? '').replace(/\\(.)/g, '$1');
}

/** A body's text: gunzipped when so encoded, at most `limit` bytes once decoded. */
function bodyText(raw: unknown, encoding: string | undefined, limit: number): string {
  let bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (encoding !== undefined && /^\s*gzip\s*$/i.test(encoding)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: limit });
    } catch (error) {
      throw new UndecodableBodyError(
        `not a gzip body of at most ${String(limit)} bytes once decoded`,
        { cause: error },
      );
    }
  }
  return bytes.toString('utf8');
}

/** The InfluxDB resources. */
export const influxdbRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, incoming, now, config } = app.engine;
  const version = `Gnocchi ${GNOCCHI_COMPATIBLE_BUILD}`;

  app.route({
    method: ['GET', 'HEAD'],
    url: '/v1/influxdb/ping',
    schema: { response: NO_CONTENT },
    config: { negotiate: false },
    handler: (_request, reply) => {
      void reply.code(204).header('X-Influxdb-Version', version).send(null);
    },
  });

  app.post(
    '/v1/influxdb/query',
    {
      schema: { querystring: QUERY_QUERY, body: ANY_BODY, response: QUERY_ANSWERS },
      // NOTE: InfluxDB clients ask for MessagePack; they read JSON as well.
      config: { negotiate: false },
      preValidation: [requireCaller],
    },
    async (request, reply) => {
      const form = Buffer.isBuffer(request.body)
        ? new URLSearchParams(request.body.toString('utf8')).get('q')
        : null;
      const query = request.query.q ?? form;
      if (query === null) {
        // NOTE: Gnocchi answers a query without `q` with nothing done.
        reply.header('X-Influxdb-Version', version);
        return DONE;
      }
      const name = databaseOf(query);
      request.auth.enforce('create resource type', { name });
      try {
        await indexer.createResourceType(parseResourceTypeInput({ name, attributes: {} }));
      } catch (error) {
        if (!(error instanceof ResourceTypeAlreadyExistsError)) throw error;
      }
      reply.header('X-Influxdb-Version', version);
      return DONE;
    },
  );

  app.post(
    '/v1/influxdb/write',
    {
      schema: { querystring: WRITE_QUERY, body: ANY_BODY, response: NO_CONTENT },
      config: { negotiate: false },
      preValidation: [requireCaller],
    },
    async (request, reply) => {
      const db = request.query.db ?? 'influxdb';
      const precision = request.query.precision ?? 'n';
      const unitUs = Object.hasOwn(INFLUX_PRECISIONS, precision)
        ? INFLUX_PRECISIONS[precision]
        : undefined;
      if (unitUs === undefined) {
        throw new InvalidArgumentValueError(
          'precision',
          `Invalid precision ${precision}: expected one of n, u, ms, s, m, h`,
        );
      }
      // NOTE: a missing type is refused before the body is read (Gnocchi fails on it later).
      await findResourceType(indexer, db);
      const header = request.headers['x-gnocchi-influxdb-tag-resource-id'];
      const text = bodyText(
        request.body,
        request.headers['content-encoding'],
        config.api.bodyLimitBytes,
      );
      await writeInfluxBody(
        {
          indexer,
          incoming,
          auth: request.auth,
          op: request.op,
          now: dateToMicros(now()),
        },
        text,
        {
          db,
          unitUs,
          resourceTag:
            typeof header === 'string' && header !== '' ? header : DEFAULT_INFLUX_RESOURCE_TAG,
        },
      );
      reply.code(204).header('X-Influxdb-Version', version);
      return null;
    },
  );

  done();
};
