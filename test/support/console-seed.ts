/**
 * Data for the console's tests and benchmark, written through the API of a running Orzo: generic
 * resources with metrics and a minute of measures per point back from now, read back with
 * `refresh=true` so that metricd has folded them before a page asks.
 */
/** The admin of the `basic` auth mode. */
export const ADMIN_HEADERS = { authorization: `Basic ${Buffer.from('admin:').toString('base64')}` };

/** A seeded resource: its id, original id and metric ids by name. */
export interface SeededResource {
  readonly id: string;
  readonly name: string;
  readonly metrics: Readonly<Record<string, string>>;
}

/** Calls the API as admin; throws with the body on an answer other than 2xx. */
export async function adminCall(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...ADMIN_HEADERS,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Creates a generic resource named `name` with these metrics under `policy`. */
export async function createResource(
  url: string,
  name: string,
  metricNames: readonly string[],
  policy = 'medium',
): Promise<SeededResource> {
  const created = (await adminCall(url, 'POST', '/v1/resource/generic', {
    // NOTE: an id that is not a UUID becomes the original id, as in Gnocchi.
    id: name,
    metrics: Object.fromEntries(
      metricNames.map((metric) => [metric, { archive_policy_name: policy }]),
    ),
  })) as { id: string; metrics: Record<string, string> };
  return { id: created.id, name, metrics: created.metrics };
}

/**
 * Posts `points` measures to a metric, one per `stepSeconds` up to now, values from `value(i)`;
 * in batches, then waits until a refreshed read holds them.
 */
export async function postMeasures(
  url: string,
  metricId: string,
  points: number,
  value: (index: number) => number,
  stepSeconds = 60,
): Promise<void> {
  const now = Math.floor(Date.now() / 1000 / stepSeconds) * stepSeconds;
  const measures = Array.from({ length: points }, (_, index) => ({
    timestamp: new Date((now - (points - 1 - index) * stepSeconds) * 1000).toISOString(),
    value: value(index),
  }));
  for (let start = 0; start < measures.length; start += 5_000) {
    await adminCall(
      url,
      'POST',
      `/v1/metric/${metricId}/measures`,
      measures.slice(start, start + 5_000),
    );
  }
  await adminCall(
    url,
    'GET',
    `/v1/metric/${metricId}/measures?refresh=true&start=${measures[0]?.timestamp ?? ''}`,
  );
}
