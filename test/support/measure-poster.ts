/**
 * Posts batch bodies (`POST /v1/batch/metrics/measures`) through several API processes in turn,
 * with a few clients in flight, as a fleet of Gnocchi clients behind a load balancer would. A
 * body answered 503 (the API's backend is unavailable) can be sent again after a short pause until
 * it is accepted, as Gnocchi's clients retry; a body counts as posted once answered 202. The
 * posting can be held (no new request starts) and released, so that a test can act at a moment
 * when no request is in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { ADMIN_AUTHORIZATION } from './measure-traffic.ts';

/** Options of {@link startPosting}. */
export interface PostingOptions {
  /** The APIs, used in turn. */
  readonly urls: readonly string[];
  readonly bodies: readonly unknown[];
  /** Requests in flight at once. */
  readonly clients: number;
  /** Send a body answered 503 again until it is accepted; else a 503 fails the posting. */
  readonly retryUnavailable?: boolean;
  /** Pause of each client after each request, to spread the posting over time. @defaultValue 0 */
  readonly pauseMs?: number;
}

/** A posting under way. */
export interface Posting {
  /** Resolves once every body is accepted; rejects at the first unexpected answer. */
  readonly done: Promise<void>;
  /** Bodies answered 202 so far. */
  accepted(): number;
  /** 503 answers so far (each retried). */
  refused(): number;
  /** Starts no new request until {@link release}; resolves once none is in flight. */
  hold(): Promise<void>;
  release(): void;
}

const RETRY_PAUSE_MS = 100;

/** Starts posting `bodies`; see {@link Posting}. */
export function startPosting(options: PostingOptions): Posting {
  const { urls, bodies, clients, retryUnavailable = false, pauseMs = 0 } = options;
  let next = 0;
  let sent = 0;
  let accepted = 0;
  let refused = 0;
  let inFlight = 0;
  let held: Promise<void> | undefined;
  let release = (): void => undefined;
  let idle = (): void => undefined;

  const post = async (body: unknown): Promise<void> => {
    for (;;) {
      while (held !== undefined) await held;
      const url = urls[sent++ % urls.length]!;
      inFlight++;
      let status: number;
      let text: string;
      try {
        const response = await fetch(`${url}/v1/batch/metrics/measures`, {
          method: 'POST',
          headers: { authorization: ADMIN_AUTHORIZATION, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        status = response.status;
        text = await response.text();
      } finally {
        inFlight--;
        if (inFlight === 0) idle();
      }
      if (status === 202) {
        accepted++;
        return;
      }
      if (status !== 503 || !retryUnavailable) {
        throw new Error(`POST to ${url}: ${status} ${text.slice(0, 500)}`);
      }
      refused++;
      await sleep(RETRY_PAUSE_MS);
    }
  };
  const client = async (): Promise<void> => {
    while (next < bodies.length) {
      await post(bodies[next++]);
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };
  const done = Promise.all(Array.from({ length: clients }, client)).then(() => undefined);
  // NOTE: the caller awaits `done` later; a failure must not count as unhandled meanwhile.
  done.catch(() => undefined);
  return {
    done,
    accepted: () => accepted,
    refused: () => refused,
    hold: async () => {
      held ??= new Promise((resolve) => {
        release = () => {
          held = undefined;
          resolve();
        };
      });
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        idle = () => {
          idle = () => undefined;
          resolve();
        };
      });
    },
    release: () => {
      release();
    },
  };
}
