/**
 * The body of a parsing worker process: reads measures bodies sent by the pool over IPC and
 * answers with their batches (typed arrays, as V8's serializer carries them) or with the error's
 * fields. A process, not a thread: a body that exhausts its heap kills it alone, where an
 * out-of-memory thread can take its whole process down.
 */
import type { MeasuresBodyKind } from './measures-body.ts';
import { parseMeasuresBody } from './measures-body.ts';
import { errorFields } from './parse-errors.ts';
import { keepStringPrototypeFast } from '../../redis/keep-string-prototype-fast.ts';

/** A job, as the pool sends it. */
export interface ParseJob {
  readonly id: number;
  readonly kind: MeasuresBodyKind;
  readonly bytes: Uint8Array;
  readonly now: number;
}

keepStringPrototypeFast();
process.on('message', (job: ParseJob) => {
  let answer: unknown;
  try {
    const raw = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    const parsed = parseMeasuresBody(raw, job.kind, job.now);
    const batches = [...parsed].map(([key, b]) => [key, b.timestamps, b.values, b.request]);
    answer = { id: job.id, batches };
  } catch (error) {
    answer = { id: job.id, error: errorFields(error) };
  }
  process.send?.(answer);
});
// NOTE: the server that started it is gone: nothing is left to answer.
process.on('disconnect', () => process.exit(0));
// NOTE: loaded and listening; a body's time limit runs from here, not from the fork.
process.send?.({ ready: true });
