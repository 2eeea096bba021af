/**
 * TypeBox schemas shared by several routes: the shapes the API answers with (archive policies,
 * rules, metrics, errors) and small request parts. Resource-specific request bodies live with
 * their routes.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** Gnocchi's error body; `description` is a string, a `{cause, reason, detail}` object or null. */
export const ERROR_BODY = Type.Object({
  code: Type.Integer(),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null(), Type.Record(Type.String(), Type.Unknown())]),
});

/** Error answers every route may give. */
export const ERROR_RESPONSES = { '4xx': ERROR_BODY, '5xx': ERROR_BODY } as const;

/** A query string whose arguments the route does not read (Gnocchi ignores unknown ones). */
export const NO_QUERY = Type.Object({});

/** An answer without a body. */
export const NO_CONTENT = Type.Null({ description: 'no content' });

/** One definition item: timedelta strings, null points and timespan for unbounded retention. */
export const ARCHIVE_POLICY_ITEM_JSON = Type.Object({
  timespan: Type.Union([Type.String(), Type.Null()]),
  granularity: Type.String(),
  points: Type.Union([Type.Integer(), Type.Null()]),
});

/** An archive policy as the API shows it. */
export const ARCHIVE_POLICY_JSON = Type.Object({
  name: Type.String(),
  back_window: Type.Integer(),
  definition: Type.Array(ARCHIVE_POLICY_ITEM_JSON),
  aggregation_methods: Type.Array(Type.String()),
});

/** An archive policy rule as the API shows it. */
export const ARCHIVE_POLICY_RULE_JSON = Type.Object({
  name: Type.String(),
  archive_policy_name: Type.String(),
  metric_pattern: Type.String(),
});

const NULLABLE_STRING = Type.Union([Type.String(), Type.Null()]);

/** The fields every metric representation has, in Gnocchi's key order. */
function metricJson<Extra extends Record<string, TSchema>>(extra: Extra) {
  return Type.Object({
    id: Type.String({ format: 'uuid' }),
    creator: Type.String(),
    name: NULLABLE_STRING,
    unit: NULLABLE_STRING,
    ...extra,
    created_by_user_id: Type.String(),
    created_by_project_id: Type.String(),
  });
}

/** A metric as `POST /v1/metric` answers it. */
export const CREATED_METRIC_JSON = metricJson({
  resource_id: NULLABLE_STRING,
  archive_policy_name: Type.String(),
});

/** A metric as listings show it. */
export const LISTED_METRIC_JSON = metricJson({
  resource_id: NULLABLE_STRING,
  archive_policy: ARCHIVE_POLICY_JSON,
});

/** A metric as `GET /v1/metric/<id>` shows it (`resource` is null until resources exist). */
export const METRIC_DETAILS_JSON = metricJson({
  resource: Type.Union([Type.Null(), Type.Record(Type.String(), Type.Unknown())]),
  archive_policy: ARCHIVE_POLICY_JSON,
});

/** Path parameters naming an archive policy or rule. */
export const NAME_PARAMS = Type.Object({ name: Type.String() });

/** Path parameters naming a metric (any text: an invalid id is a 404, not a 400). */
export const METRIC_ID_PARAMS = Type.Object({ id: Type.String() });

const NULLABLE_NUMBER = Type.Union([Type.Number(), Type.Null()]);

/** One op of a dump, as the op tracker renders it (`src/optracker/op-json.ts`). */
export const OP_JSON = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  description: Type.String(),
  initiated_at: Type.String(),
  age: Type.Number(),
  duration: Type.Optional(Type.Number()),
  events: Type.Array(
    Type.Object({
      time: Type.String(),
      event: Type.String(),
      elapsed: Type.Number(),
      since_previous: Type.Number(),
    }),
  ),
});

/** One op dump of one process; the bounds present depend on the dump. */
export const OPS_DUMP_JSON = Type.Object({
  enabled: Type.Boolean(),
  num_ops: Type.Integer(),
  complaint_time: Type.Optional(Type.Number()),
  oldest_age: Type.Optional(NULLABLE_NUMBER),
  size: Type.Optional(Type.Integer()),
  duration: Type.Optional(Type.Number()),
  threshold: Type.Optional(Type.Number()),
  ops: Type.Array(OP_JSON),
});

/** The in-flight summary of one process's op tracker (`OpsHealth`). */
export const OPS_HEALTH_JSON = Type.Object({
  enabled: Type.Boolean(),
  inFlight: Type.Integer(),
  slowOps: Type.Integer(),
  oldestSlowAgeSeconds: NULLABLE_NUMBER,
  oldestAgeSeconds: NULLABLE_NUMBER,
  complaintTimeSeconds: Type.Number(),
  untracked: Type.Integer(),
});
