/**
 * What the outage tests check of the requests sent while a backend was away (see
 * `measure-traffic.ts`): which answers came, which hung, and whether every refusal is Gnocchi's
 * JSON error.
 */
import type { SentRequest } from './measure-traffic.ts';

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
