/**
 * `npm run bench:parse`: the CPU an API process spends reading a measures list, in process, on
 * batches of 5,000 measures: `JSON.parse` of the body, then `parseMeasures` of the parsed list,
 * for ISO 8601 timestamps (`2026-01-01T00:00:10.000Z`, what `Date#toISOString` and most feeders
 * write), ISO with a `+00:00` offset, epoch seconds, and a form off the common path
 * (`2026-01-01 00:00:10`). Prints one JSON object with milliseconds per batch (median of rounds),
 * and `body_ms`, the whole body as the API reads it from its bytes (`parseMeasuresBody`: UTF-8
 * decoding, `JSON.parse`, `parseMeasures`).
 *
 * Options: `--measures N` (5000), `--rounds N` (15), `--repeat N` (100 batches per round).
 */
import { parseArgs } from 'node:util';

import { parseMeasuresBody } from '../src/api/ingest/measures-body.ts';
import { parseMeasures } from '../src/ingest/index.ts';
import { keepStringPrototypeFast } from '../src/redis/keep-string-prototype-fast.ts';

// NOTE: as every orzo process does once its modules are loaded.
keepStringPrototypeFast();

const { values: flags } = parseArgs({
  options: {
    measures: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '15' },
    repeat: { type: 'string', default: '100' },
  },
});
const MEASURES = Number(flags.measures);
const ROUNDS = Number(flags.rounds);
const REPEAT = Number(flags.repeat);
const START_MS = Date.UTC(2026, 0, 1);

const FORMS: Record<string, (ms: number) => string | number> = {
  iso_z: (ms) => new Date(ms).toISOString(),
  iso_offset: (ms) => new Date(ms).toISOString().replace('Z', '+00:00'),
  epoch_seconds: (ms) => ms / 1000,
  iso_space: (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' '),
};

/** Median milliseconds of one call of `run`, over the rounds. */
function medianMs(run: () => void): number {
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < REPEAT; i++) run();
    rounds.push(Number(process.hrtime.bigint() - started) / 1e6 / REPEAT);
  }
  rounds.sort((a, b) => a - b);
  return Math.round((rounds[Math.floor(rounds.length / 2)] ?? 0) * 1000) / 1000;
}

const results: Record<string, object> = {};
for (const [form, timestampOf] of Object.entries(FORMS)) {
  const list = Array.from({ length: MEASURES }, (_, i) => ({
    timestamp: timestampOf(START_MS + i * 10_000),
    value: Math.round(Math.random() * 10_000) / 100,
  }));
  const body = JSON.stringify(list);
  // NOTE: the measures as a request has them: strings out of JSON.parse, not built in process.
  const parsed: unknown = JSON.parse(body);
  const now = START_MS * 1000;
  const parseMs = medianMs(() => parseMeasures(parsed, { now }));
  const raw = Buffer.from(body);
  results[form] = {
    json_parse_ms: medianMs(() => JSON.parse(body) as unknown),
    parse_measures_ms: parseMs,
    body_ms: medianMs(() => parseMeasuresBody(raw, 'one', now)),
  };
}
console.log(JSON.stringify({ measures_per_batch: MEASURES, forms: results }, null, 2));
