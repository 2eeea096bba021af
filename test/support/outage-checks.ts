/**
 * What the outage tests check of the requests sent while a backend was away (see
 * `measure-traffic.ts`): which answers came, which hung, and whether every refusal is Gnocchi's
 * JSON error.
 */
import {
  createMetrics,
  startMeasureTraffic,
  type MeasureTraffic,
  type SentRequest,
} from './measure-traffic.ts';
import { mulberry32 } from './mulberry32.ts';
import { freePort, launchOrzo, runOrzo, type OrzoChild } from './orzo-process.ts';

/** A filter of the requests answered with `status`. */
export function hasStatus(status: number) {
  return ({ outcome }: SentRequest) => outcome.kind === 'answered' && outcome.status === status;
}

/** A line for the test's output: what the requests of a phase got and how long they took. */
export function summary(phase: string, sent: readonly SentRequest[]): string {
  const slowest = Math.max(0, ...sent.map(({ startedAt, finishedAt }) => finishedAt - startedAt));
  return (
    `${sent.length} requests ${phase}: ${sent.filter(hasStatus(202)).length} answered ` +
    `202, ${sent.filter(hasStatus(503)).length} answered 503; slowest ${Math.round(slowest)} ms`
  );
}

/** Requests without an answer, or answered with a status not in `allowed`. */
export function unexpected(sent: readonly SentRequest[], allowed: readonly number[]) {
  return sent
    .filter(({ outcome }) => outcome.kind !== 'answered' || !allowed.includes(outcome.status))
    .map(({ request, outcome }) => ({ number: request.number, outcome }));
}

/** Requests that took longer than `limitMs`. */
export function hung(sent: readonly SentRequest[], limitMs: number) {
  return sent
    .filter(({ startedAt, finishedAt }) => finishedAt - startedAt > limitMs)
    .map(({ request, startedAt, finishedAt }) => ({
      number: request.number,
      ms: Math.round(finishedAt - startedAt),
    }));
}

/** 503s whose body is not Gnocchi's JSON error shape. */
export function badErrorBodies(sent: readonly SentRequest[]) {
  return sent.filter(hasStatus(503)).flatMap(({ request, outcome }) => {
    const body = outcome.kind === 'answered' ? outcome.body : '';
    try {
      const error = JSON.parse(body) as { code?: unknown; description?: unknown };
      if (error.code === 503 && typeof error.description === 'string') return [];
    } catch {
      // NOTE: not JSON; reported below.
    }
    return [{ number: request.number, body }];
  });
}

/** What {@link apiUnderTraffic} starts. */
export interface ApiUnderTraffic {
  readonly api: OrzoChild;
  readonly metricIds: string[];
  readonly traffic: MeasureTraffic;
}

/**
 * Upgrades `dataDir` with `flags`, starts `orzo api` on it and `clients` posting measures to
 * `metrics` new metrics all along; the caller stops the traffic and kills the API.
 */
export async function apiUnderTraffic(options: {
  readonly dataDir: string;
  readonly flags: readonly string[];
  readonly metrics: number;
  readonly clients: number;
  readonly seed: number;
}): Promise<ApiUnderTraffic> {
  const { dataDir, flags } = options;
  runOrzo(['upgrade', '--data-dir', dataDir, ...flags]);
  const api = await launchOrzo('api', { dataDir, port: await freePort(), flags });
  const metricIds = await createMetrics(api.url, options.metrics);
  const traffic = startMeasureTraffic({
    url: api.url,
    metricIds,
    clients: options.clients,
    firstNumber: 0,
    random: mulberry32(options.seed),
  });
  return { api, metricIds, traffic };
}

/** The requests of a traffic by when they ran, by the test's clock. */
export function trafficWindows(
  traffic: () => MeasureTraffic,
  options: { readonly acknowledged: number; readonly waitMs: number },
) {
  const startedIn = (from: number, to = Infinity) =>
    traffic().sent.filter(({ startedAt }) => startedAt >= from && startedAt < to);
  const finishedSince = (from: number) =>
    traffic().sent.filter(({ finishedAt }) => finishedAt >= from);
  /** Waits for `acknowledged` 202s among the requests started since `since`. */
  const untilAcknowledgedSince = (since: number, what: string) =>
    traffic().until(
      () => startedIn(since).filter(hasStatus(202)).length >= options.acknowledged,
      what,
      options.waitMs,
    );
  return { startedIn, finishedSince, untilAcknowledgedSince };
}
