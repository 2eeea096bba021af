/**
 * `/v1/subhealth` (admins only): sub-health detection's settings and findings.
 *
 * - `GET /v1/subhealth/config`: every group's settings; `PATCH` with `{"<group>": {changes}}`
 *   changes them (a new name makes a user's group; `null` deletes one, or returns a built-in group
 *   to its defaults). The detector reads them every second and applies them at its next check.
 * - `GET /v1/subhealth/timeline?group=&start=&stop=&dry_run=`: slow instances per check time in
 *   the window, the last 24 hours by default (the seed's first query).
 * - `GET /v1/subhealth/findings?group=&check_time=&dry_run=`: the slow instances of one check,
 *   each with the times it was flagged in the 24 hours up to it (the seed's second query).
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';

import { dateToMicros, pythonIsoformat } from '../../grammar/index.ts';
import type { SubhealthCheckFinding } from '../../indexer/index.ts';
import {
  changeGroups,
  readGroups,
  SubhealthGroupNotFoundError,
  type SubhealthGroup,
} from '../../subhealth/index.ts';
import { parseBoolean } from '../arguments/boolean-argument.ts';
import { parseBound } from '../arguments/measures-arguments.ts';
import { decodeJsonBody } from '../http/json-body.ts';
import { authorize } from '../http/request-hooks.ts';
import { InvalidArgumentError, InvalidInputError } from '../http/request-errors.ts';
import { ERROR_RESPONSES } from '../views/schemas.ts';

const DAY_US = 86_400 * 1_000_000;

const CONFIG_JSON = Type.Object({
  groups: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
});

const TIMELINE_JSON = Type.Object({
  group: Type.String(),
  start: Type.String(),
  stop: Type.String(),
  dry_run: Type.Boolean(),
  interval_seconds: Type.Number(),
  timeline: Type.Array(Type.Object({ check_time: Type.String(), slow_instances: Type.Integer() })),
});

const NULLABLE_TEXT = Type.Union([Type.String(), Type.Null()]);

const FINDINGS_JSON = Type.Object({
  group: Type.String(),
  check_time: Type.String(),
  dry_run: Type.Boolean(),
  findings: Type.Array(
    Type.Object({
      check_time: Type.String(),
      ctime: Type.String(),
      cluster: Type.String(),
      host_id: NULLABLE_TEXT,
      host_name: NULLABLE_TEXT,
      instance_id: Type.String(),
      instance_name: Type.String(),
      trigger_times: Type.Integer(),
      waits: Type.Number(),
      wait_share: Type.Number(),
      load_share: Type.Number(),
      excess: Type.Number(),
      top_waits: Type.Record(Type.String(), Type.Number()),
    }),
  ),
});

const TIMELINE_QUERY = Type.Object({
  group: Type.Optional(Type.String()),
  start: Type.Optional(Type.String()),
  stop: Type.Optional(Type.String()),
  dry_run: Type.Optional(Type.String()),
});

const FINDINGS_QUERY = Type.Object({
  group: Type.Optional(Type.String()),
  check_time: Type.Optional(Type.String()),
  dry_run: Type.Optional(Type.String()),
});

/** The sub-health resource. */
export const subhealthRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, now } = app.engine;

  /** The group a query names, which must exist. */
  const namedGroup = async (name: string | undefined): Promise<SubhealthGroup> => {
    if (name === undefined || name === '') {
      throw new InvalidArgumentError('group', 'Missing argument group: name a sub-health group');
    }
    const group = (await readGroups(indexer)).groups.find((candidate) => candidate.name === name);
    if (group === undefined) throw new SubhealthGroupNotFoundError(name);
    return group;
  };

  app.get(
    '/v1/subhealth/config',
    {
      schema: { response: { 200: CONFIG_JSON, ...ERROR_RESPONSES } },
      preValidation: [authorize('get subhealth')],
    },
    async () => configJson((await readGroups(indexer)).groups),
  );

  app.patch(
    '/v1/subhealth/config',
    {
      schema: { body: Type.Unknown(), response: { 200: CONFIG_JSON, ...ERROR_RESPONSES } },
      preValidation: [authorize('update subhealth'), decodeJsonBody],
    },
    async (request) => {
      const { body } = request;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new InvalidInputError(
          'body',
          'expected an object of changes by group name, e.g. {"metricd_workers": {"enabled": true}}',
          [],
        );
      }
      for (const [name, change] of Object.entries(body)) {
        if (change !== null && (typeof change !== 'object' || Array.isArray(change))) {
          throw new InvalidInputError('body', 'expected an object of settings, or null', [name]);
        }
      }
      const changes = body as Record<string, Record<string, unknown> | null>;
      return configJson(await changeGroups(indexer, changes, dateToMicros(now())));
    },
  );

  app.get(
    '/v1/subhealth/timeline',
    {
      schema: {
        querystring: TIMELINE_QUERY,
        response: { 200: TIMELINE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('get subhealth')],
    },
    async (request) => {
      const { query } = request;
      const group = await namedGroup(query.group);
      const nowUs = dateToMicros(now());
      const stop = query.stop === undefined ? nowUs : parseBound('stop', query.stop, nowUs);
      const start =
        query.start === undefined ? stop - DAY_US : parseBound('start', query.start, nowUs);
      const dryRun = parseBoolean('dry_run', query.dry_run ?? 'false');
      const points = await indexer.subhealthTimeline(group.name, start, stop, dryRun);
      return {
        group: group.name,
        start: pythonIsoformat(start),
        stop: pythonIsoformat(stop),
        dry_run: dryRun,
        interval_seconds: group.intervalSeconds,
        timeline: points.map((point) => ({
          check_time: pythonIsoformat(point.checkTime),
          slow_instances: point.slowInstances,
        })),
      };
    },
  );

  app.get(
    '/v1/subhealth/findings',
    {
      schema: {
        querystring: FINDINGS_QUERY,
        response: { 200: FINDINGS_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('get subhealth')],
    },
    async (request) => {
      const { query } = request;
      const group = await namedGroup(query.group);
      if (query.check_time === undefined) {
        throw new InvalidArgumentError('check_time', 'Missing argument check_time: name a check');
      }
      const nowUs = dateToMicros(now());
      const checkTime = parseBound('check_time', query.check_time, nowUs);
      const dryRun = parseBoolean('dry_run', query.dry_run ?? 'false');
      const findings = await indexer.subhealthFindings(group.name, checkTime, dryRun);
      return {
        group: group.name,
        check_time: pythonIsoformat(checkTime),
        dry_run: dryRun,
        findings: findings.map(findingJson),
      };
    },
  );

  done();
};

function configJson(groups: readonly SubhealthGroup[]): {
  groups: Record<string, Record<string, unknown>>;
} {
  return {
    groups: Object.fromEntries(groups.map(({ name, ...settings }) => [name, { ...settings }])),
  };
}

function findingJson(
  finding: SubhealthCheckFinding,
): Static<typeof FINDINGS_JSON>['findings'][number] {
  return {
    check_time: pythonIsoformat(finding.checkTime),
    ctime: pythonIsoformat(finding.ctime),
    cluster: finding.cluster,
    host_id: finding.hostId,
    host_name: finding.hostName,
    instance_id: finding.instanceId,
    instance_name: finding.instanceName,
    trigger_times: finding.triggerTimes,
    waits: finding.waits,
    wait_share: finding.waitShare,
    load_share: finding.loadShare,
    excess: finding.excess,
    top_waits: finding.topWaits,
  };
}
