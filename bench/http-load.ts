/**
 * A small closed-loop HTTP load driver for benchmarks: `concurrency` clients each send the next
 * request as soon as their previous one is answered, until `total` requests are done; latencies
 * are recorded per request. Only loopback URLs are ever targeted by the benchmarks that use it.
 */
import { Agent, request } from 'undici';

/** One request to send. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
}

/** What a load run measured. */
export interface LoadFigures {
  readonly requests: number;
  readonly seconds: number;
  readonly requests_per_s: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly errors: number;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly baseUrl: string;
  readonly total: number;
  readonly concurrency: number;
  /** The i-th request (0-based). */
  readonly next: (index: number) => LoadRequest;
  /** The status every answer must have. */
  readonly expectStatus: number;
  /** Receives the body of every expected answer (otherwise bodies are discarded). */
  readonly onBody?: (text: string) => void;
}

/** Runs the load and returns its figures; answers with another status count as errors. */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const dispatcher = new Agent({ connections: options.concurrency, pipelining: 1 });
  const latencies = new Float64Array(options.total);
  let issued = 0;
  let errors = 0;
  const client = async (): Promise<void> => {
    while (issued < options.total) {
      const index = issued++;
      const { method, path, body, headers = {} } = options.next(index);
      const t0 = process.hrtime.bigint();
      const response = await request(options.baseUrl + path, {
        method,
        headers,
        dispatcher,
        ...(body === undefined ? {} : { body }),
      });
      const ok = response.statusCode === options.expectStatus;
      if (ok && options.onBody !== undefined) options.onBody(await response.body.text());
      else await response.body.dump();
      latencies[index] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!ok) errors++;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await dispatcher.close();
  latencies.sort();
  return {
    requests: options.total,
    seconds: round(seconds, 3),
    requests_per_s: Math.round(options.total / seconds),
    p50_ms: round(percentile(latencies, 0.5), 3),
    p99_ms: round(percentile(latencies, 0.99), 3),
    errors,
  };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
