/**
 * Parsing of large measures bodies off the event loop. A body of a few megabytes takes the
 * request's thread hundreds of milliseconds to decode and read (a hostile `[{},{},…]` of 60 MiB,
 * 24 s), during which the API answers no one. Bodies from {@link PARSE_IN_WORKER_BYTES} up go to
 * worker processes (`measures-parse-worker.ts`), one body at a time each, which answer with typed
 * arrays; each worker's heap and each body's time are bounded, and a body that exceeds either is
 * refused (413) and its worker replaced. Processes rather than threads, since a thread that runs
 * out of memory can abort the whole server.
 * Smaller bodies are parsed in place, where a worker's round trip would cost more than it saves.
 */
import { fork, type ChildProcess } from 'node:child_process';

import type { MetricRequest } from '../../resource/index.ts';
import { BodyTooComplexError } from '../http/request-errors.ts';
import {
  parseMeasuresBody,
  type MeasuresBodyKind,
  type ParsedBatch,
  type ParsedMeasures,
} from './measures-body.ts';
import { errorFromFields, type ErrorFields } from './parse-errors.ts';
import { packagePath } from '../../fs/package-root.ts';

/** Bodies from this size up are parsed by a worker. */
export const PARSE_IN_WORKER_BYTES = 1024 * 1024;

/** Most milliseconds a forked worker may take to load before it is given up. */
const START_TIMEOUT_MS = 60_000;

const WORKER_ENTRY = packagePath('bin', 'measures-parse-worker.js');

/** How the pool runs. */
export interface MeasuresParsePoolOptions {
  /** Worker processes at most. */
  readonly workers: number;
  /** Heap of each worker (old generation), in MiB. */
  readonly heapMb: number;
  /** Most milliseconds one body may take; the worker is then stopped and replaced. */
  readonly timeoutMs: number;
}

interface Job {
  readonly id: number;
  readonly kind: MeasuresBodyKind;
  readonly bytes: Uint8Array;
  readonly now: number;
  readonly resolve: (parsed: ParsedMeasures) => void;
  readonly reject: (error: Error) => void;
}

/** One batch as a worker sends it: key, timestamps, values, the metric's request if any. */
type WireBatch = readonly [string, Float64Array, Float64Array, MetricRequest | undefined];

type Answer =
  | { readonly ready: true }
  | { readonly id: number; readonly batches: readonly WireBatch[] }
  | { readonly id: number; readonly error: ErrorFields };

/** A bounded set of parsing workers, started on first use. */
export class MeasuresParsePool {
  readonly #options: MeasuresParsePoolOptions;
  readonly #idle: ChildProcess[] = [];
  /** Forked but not yet loaded: a job waits for one rather than spend its time limit on it. */
  readonly #starting = new Set<ChildProcess>();
  readonly #busy = new Map<ChildProcess, Job>();
  readonly #deadlines = new Map<ChildProcess, NodeJS.Timeout>();
  readonly #queue: Job[] = [];
  #nextId = 0;
  #closed = false;

  constructor(options: MeasuresParsePoolOptions) {
    this.#options = options;
  }

  /** The batches of a raw body; throws as the ingest parser does, or `BodyTooComplexError`. */
  parse(raw: Buffer, kind: MeasuresBodyKind, now: number): Promise<ParsedMeasures> {
    if (raw.length < PARSE_IN_WORKER_BYTES || this.#closed) {
      // NOTE: a throw becomes the rejection, as it would from a worker.
      return new Promise((resolve) => {
        resolve(parseMeasuresBody(raw, kind, now));
      });
    }
    return new Promise<ParsedMeasures>((resolve, reject) => {
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      this.#queue.push({ id: this.#nextId++, kind, bytes, now, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops the workers; jobs still queued are parsed in place. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) this.#runInPlace(job);
    const workers = [...this.#idle.splice(0), ...this.#starting, ...this.#busy.keys()];
    this.#starting.clear();
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.resolve();
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop();
      if (worker === undefined) {
        // NOTE: one more worker per waiting job, within the bound; each takes a job once loaded.
        while (this.#starting.size < this.#queue.length && this.#spawn() !== undefined);
        return;
      }
      const job = this.#queue.shift() as Job;
      this.#busy.set(worker, job);
      const { id, kind, bytes, now } = job;
      try {
        worker.send({ id, kind, bytes, now });
      } catch (error) {
        // NOTE: the worker died while idle; its job is refused like one it died on.
        this.#lose(worker, error as Error);
        continue;
      }
      const deadline = setTimeout(() => {
        const seconds = this.#options.timeoutMs / 1000;
        this.#lose(worker, new BodyTooComplexError({ seconds }));
        worker.kill('SIGKILL');
      }, this.#options.timeoutMs);
      deadline.unref();
      this.#deadlines.set(worker, deadline);
    }
  }

  #spawn(): ChildProcess | undefined {
    const count = this.#busy.size + this.#idle.length + this.#starting.size;
    if (count >= this.#options.workers) return undefined;
    const worker = fork(WORKER_ENTRY, [], {
      execArgv: [`--max-old-space-size=${this.#options.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    // NOTE: an idle worker must not keep the server's process alive.
    worker.unref();
    worker.channel?.unref();
    this.#starting.add(worker);
    const startDeadline = setTimeout(() => {
      this.#lose(worker, new Error(`parsing worker not ready within ${START_TIMEOUT_MS} ms`));
      worker.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    startDeadline.unref();
    this.#deadlines.set(worker, startDeadline);
    worker.on('message', (answer: Answer) => {
      if ('ready' in answer) this.#ready(worker);
      else this.#finish(worker, answer);
    });
    worker.on('error', (error) => {
      this.#lose(worker, error);
    });
    worker.on('exit', (code, signal) => {
      // NOTE: V8 aborts a process out of heap (SIGABRT, or exit code 134).
      const exhausted = signal === 'SIGABRT' || code === 134;
      this.#lose(
        worker,
        exhausted
          ? new BodyTooComplexError({ heapMb: this.#options.heapMb })
          : new Error(`parsing worker exited (${signal ?? code})`),
      );
    });
    return worker;
  }

  #ready(worker: ChildProcess): void {
    if (!this.#starting.delete(worker)) return;
    clearTimeout(this.#deadlines.get(worker));
    this.#deadlines.delete(worker);
    this.#idle.push(worker);
    this.#dispatch();
  }

  #finish(worker: ChildProcess, answer: Exclude<Answer, { ready: true }>): void {
    const job = this.#busy.get(worker);
    // NOTE: an answer that arrives after its deadline comes from a worker already given up.
    if (job === undefined) return;
    clearTimeout(this.#deadlines.get(worker));
    this.#deadlines.delete(worker);
    this.#busy.delete(worker);
    if (!this.#closed) this.#idle.push(worker);
    if ('error' in answer) job.reject(errorFromFields(answer.error));
    else job.resolve(toBatches(answer.batches));
    this.#dispatch();
  }

  /** A worker died (its heap exhausted, most likely): its job is refused, others go on. */
  #lose(worker: ChildProcess, error: Error): void {
    clearTimeout(this.#deadlines.get(worker));
    this.#deadlines.delete(worker);
    const job = this.#busy.get(worker);
    this.#busy.delete(worker);
    const idle = this.#idle.indexOf(worker);
    if (idle !== -1) this.#idle.splice(idle, 1);
    // NOTE: a worker that dies before it is loaded fails the oldest waiting job, so that a
    // worker that cannot start at all is said, not forked again and again.
    const failedStart = this.#starting.delete(worker) ? this.#queue.shift() : undefined;
    failedStart?.reject(error);
    if (job !== undefined) job.reject(error);
    if (!this.#closed) this.#dispatch();
  }

  #runInPlace(job: Job): void {
    try {
      job.resolve(parseMeasuresBody(Buffer.from(job.bytes), job.kind, job.now));
    } catch (error) {
      job.reject(error as Error);
    }
  }
}

function toBatches(batches: readonly WireBatch[]): ParsedMeasures {
  return new Map(
    batches.map(([key, timestamps, values, request]): [string, ParsedBatch] => [
      key,
      request === undefined ? { timestamps, values } : { timestamps, values, request },
    ]),
  );
}
