/**
 * Measure traffic for end-to-end reliability tests: client loops that POST measures to a real
 * `orzo api` through both measures endpoints and record what became of every request.
 *
 * Every request can be recognised in the incoming store: measure `i` of request `n` has the value
 * `n * 1000 + i` and the timestamp `TAG_EPOCH + n * 1000 + i` seconds, so that whoever reads the
 * store back knows which request, and which of its measures, each stored measure is.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Basic auth as user `admin` (the password is ignored), as Gnocchi's clients send it. */
export const ADMIN_AUTHORIZATION = 'Basic YWRtaW46';

/** Epoch seconds of request 0's first measure. */
const TAG_EPOCH = 1_500_000_000;
/** Measures per metric per request: at most this many, so that an index fits below 1000. */
const MAX_MEASURES_PER_METRIC = 25;
/** A client gives up after this many requests, whatever the test waits for. */
const MAX_REQUESTS_PER_CLIENT = 50_000;

/** One POST of measures whose values say which request and which measure they are. */
export interface TaggedRequest {
  readonly number: number;
  /** `/v1/metric/{id}/measures` or `/v1/batch/metrics/measures`. */
  readonly path: string;
  readonly body: unknown;
  /** How many measures the request carries for each metric it names. */
  readonly measures: ReadonlyMap<string, number>;
}

/** What became of a request. */
export type RequestOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly body: string }
  /** The connection was refused or died before an answer came. */
  | { readonly kind: 'no-answer'; readonly error: string }
  | { readonly kind: 'timed-out' };

/** A request and what became of it, with `performance.now()` times. */
export interface SentRequest {
  readonly request: TaggedRequest;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: RequestOutcome;
}

/** The measure `index` of request `number`. */
export function taggedMeasure(number: number, index: number): { timestamp: number; value: number } {
  return { timestamp: TAG_EPOCH + number * 1000 + index, value: number * 1000 + index };
}

/** The request and index a stored measure claims, or `undefined` when it is no tagged measure. */
export function tagOfMeasure(
  timestampMicros: number,
  value: number,
): { number: number; index: number } | undefined {
  if (!Number.isSafeInteger(value) || value < 0) return undefined;
  const number = Math.floor(value / 1000);
  const index = value % 1000;
  const expected = taggedMeasure(number, index).timestamp * 1_000_000;
  return timestampMicros === expected ? { number, index } : undefined;
}

/** Request `number`: every other one goes to the batch endpoint and names several metrics. */
export function taggedRequest(
  number: number,
  metricIds: readonly string[],
  random: () => number,
): TaggedRequest {
  const measuresOf = (count: number) =>
    Array.from({ length: count }, (_unused, index) => taggedMeasure(number, index));
  const sizeOfNext = () => 1 + Math.floor(random() * MAX_MEASURES_PER_METRIC);
  if (number % 2 === 0) {
    const metricId = metricIds[Math.floor(random() * metricIds.length)]!;
    const size = sizeOfNext();
    return {
      number,
      path: `/v1/metric/${metricId}/measures`,
      body: measuresOf(size),
      measures: new Map([[metricId, size]]),
    };
  }
  const chosen = metricIds.filter(() => random() < 0.6);
  const named = chosen.length > 0 ? chosen : metricIds;
  const measures = new Map(named.map((metricId) => [metricId, sizeOfNext()]));
  const body = Object.fromEntries([...measures].map(([id, size]) => [id, measuresOf(size)]));
  return { number, path: '/v1/batch/metrics/measures', body, measures };
}

/** Creates archive policy `p` (1 s points, one minute) and `count` metrics on it; returns ids. */
export async function createMetrics(url: string, count: number): Promise<string[]> {
  await postJson(url, '/v1/archive_policy', {
    name: 'p',
    definition: [{ granularity: 1, points: 60 }],
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const metric = await postJson(url, '/v1/metric', { archive_policy_name: 'p' });
    ids.push((metric as { id: string }).id);
  }
  return ids;
}

async function postJson(url: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: ADMIN_AUTHORIZATION, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Options of {@link startMeasureTraffic}. */
export interface MeasureTrafficOptions {
  readonly url: string;
  readonly metricIds: readonly string[];
  /** Client loops, each with one request in flight at a time. */
  readonly clients: number;
  /** The number of the first request; numbers must stay unique across a test. */
  readonly firstNumber: number;
  readonly random: () => number;
  /** A request still unanswered after this long is abandoned as timed out. @defaultValue 20 s */
  readonly requestTimeoutMs?: number;
  /**
   * A client's pause after anything but a 202, so that a server that is down is not hammered.
   * @defaultValue 25 ms
   */
  readonly pauseAfterFailureMs?: number;
}

/** Client loops at work. */
export interface MeasureTraffic {
  /** Every finished request so far, in finishing order. */
  readonly sent: readonly SentRequest[];
  /** Resolves once `condition` holds; throws after `timeoutMs` (naming `what`) or on a crash. */
  until(condition: () => boolean, what: string, timeoutMs: number): Promise<void>;
  /** Stops the loops once their requests in flight have finished. */
  stop(): Promise<void>;
}

/** Starts client loops that post tagged requests until stopped. */
export function startMeasureTraffic(options: MeasureTrafficOptions): MeasureTraffic {
  const { clients, requestTimeoutMs = 20_000, pauseAfterFailureMs = 25 } = options;
  const sent: SentRequest[] = [];
  const state = { running: true, next: options.firstNumber, error: undefined as Error | undefined };
  const loop = async () => {
    for (let count = 0; state.running && count < MAX_REQUESTS_PER_CLIENT; count++) {
      const request = taggedRequest(state.next++, options.metricIds, options.random);
      const startedAt = performance.now();
      const outcome = await send(options.url, request, requestTimeoutMs);
      sent.push({ request, startedAt, finishedAt: performance.now(), outcome });
      if (outcome.kind !== 'answered' || outcome.status !== 202) await sleep(pauseAfterFailureMs);
    }
  };
  const loops = Promise.all(
    Array.from({ length: clients }, () =>
      loop().catch((error: unknown) => {
        state.error ??= error instanceof Error ? error : new Error(String(error));
      }),
    ),
  );
  return {
    sent,
    until: async (condition, what, timeoutMs) => {
      const deadline = performance.now() + timeoutMs;
      while (!condition()) {
        if (state.error !== undefined) throw state.error;
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(10);
      }
    },
    stop: async () => {
      state.running = false;
      await loops;
      if (state.error !== undefined) throw state.error;
    },
  };
}

async function send(
  url: string,
  request: TaggedRequest,
  timeoutMs: number,
): Promise<RequestOutcome> {
  let response: Response;
  try {
    response = await fetch(`${url}${request.path}`, {
      method: 'POST',
      headers: { authorization: ADMIN_AUTHORIZATION, 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return failure(error);
  }
  // NOTE: the status is the answer; a body cut short by a dying server does not change it.
  const body = await response.text().catch(() => '');
  return { kind: 'answered', status: response.status, body };
}

function failure(error: unknown): RequestOutcome {
  if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'timed-out' };
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  return { kind: 'no-answer', error: cause instanceof Error ? cause.message : String(cause) };
}
