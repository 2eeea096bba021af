/**
 * Reads an incoming store back after measure traffic (see `measure-traffic.ts`) and checks it
 * against what the API answered. A request answered 202 must be stored in full, once, for every
 * metric it names. Any other request may be stored or not (the connection died, or the backend
 * applied a write whose answer was lost), but never in part for a metric, and, where the backend
 * stores a request's batches together (`atomicRequests`), never for some of its metrics only.
 * Nothing may be stored twice, be corrupt, or be unknown.
 */
import { parseDataBackendUrl } from '../../src/config/index.ts';
import { createIncomingDriver } from '../../src/ingest/create-incoming-driver.ts';
import { Incoming } from '../../src/ingest/incoming.ts';
import { tagOfMeasure, type SentRequest } from './measure-traffic.ts';

/** Lines of problems reported at most, so that a broken store still gives a readable failure. */
const MAX_PROBLEMS = 40;

/** Options of {@link auditIncoming}. */
export interface IncomingAuditOptions {
  readonly incoming: Incoming;
  /** The metrics the traffic posted to. */
  readonly metricIds: readonly string[];
  /** Every request of the traffic, finished. */
  readonly sent: readonly SentRequest[];
  /** Whether the backend stores the batches of one request for several metrics all or none. */
  readonly atomicRequests: boolean;
}

/** What an audit found. */
export interface IncomingAudit {
  /** Everything wrong, one line each; empty when the store is as it should be. */
  readonly problems: readonly string[];
  /** Requests answered 202. */
  readonly acknowledged: number;
  /** Requests stored (wholly) that got no 202: no answer, or an error answer. */
  readonly storedUnacknowledged: number;
  /** Measures in the store. */
  readonly measures: number;
}

/** Request number → metric id → the indices of its measures found, in store order. */
type Found = Map<number, Map<string, number[]>>;

/** Reads every waiting measure and checks it against the requests sent. */
export async function auditIncoming(options: IncomingAuditOptions): Promise<IncomingAudit> {
  const problems: string[] = [];
  const found: Found = new Map();
  let measures = 0;
  for (const metricId of await listedMetrics(options, problems)) {
    const pending = await options.incoming.readPending(metricId);
    for (const { error } of pending.corrupt) {
      problems.push(`metric ${metricId}: corrupt batch (${error.message})`);
    }
    const { timestamps, values } = pending.measures;
    const requests = new Set<number>();
    for (let i = 0; i < timestamps.length; i++) {
      const tag = tagOfMeasure(timestamps[i]!, values[i]!);
      if (tag === undefined) {
        problems.push(`metric ${metricId}: foreign measure ${values[i]} at ${timestamps[i]} µs`);
        continue;
      }
      requests.add(tag.number);
      const perMetric = found.get(tag.number) ?? new Map<string, number[]>();
      found.set(tag.number, perMetric);
      const indices = perMetric.get(metricId) ?? [];
      indices.push(tag.index);
      perMetric.set(metricId, indices);
    }
    measures += timestamps.length;
    const batches = pending.handles.length - pending.corrupt.length;
    if (batches !== requests.size) {
      problems.push(`metric ${metricId}: ${batches} batches hold ${requests.size} requests`);
    }
  }
  const counts = checkRequests(options, found, problems);
  const shown = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS) shown.push(`… and ${problems.length - MAX_PROBLEMS} more`);
  return { problems: shown, measures, ...counts };
}

/** Every metric listed in a sack; a metric the traffic never posted to is a problem. */
async function listedMetrics(options: IncomingAuditOptions, problems: string[]) {
  const known = new Set(options.metricIds);
  const listed = new Set<string>();
  const sacks = await options.incoming.sackCount();
  for (let sack = 0; sack < sacks; sack++) {
    for (const metricId of await options.incoming.listMetrics(sack)) {
      if (!known.has(metricId)) problems.push(`unknown metric ${metricId} has measures`);
      listed.add(metricId);
    }
  }
  return listed;
}

function checkRequests(options: IncomingAuditOptions, found: Found, problems: string[]) {
  const byNumber = new Map(options.sent.map((sent) => [sent.request.number, sent]));
  for (const number of found.keys()) {
    if (!byNumber.has(number)) problems.push(`request ${number} is stored but was never sent`);
  }
  let acknowledged = 0;
  let storedUnacknowledged = 0;
  for (const { request, outcome } of options.sent) {
    const stored = found.get(request.number) ?? new Map<string, number[]>();
    const is202 = outcome.kind === 'answered' && outcome.status === 202;
    if (is202) acknowledged++;
    else if (stored.size > 0) storedUnacknowledged++;
    const describe = `request ${request.number} (${describeOutcome(outcome)})`;
    for (const [metricId, indices] of stored) {
      const expected = request.measures.get(metricId);
      if (expected === undefined) {
        problems.push(`${describe}: stored for metric ${metricId}, which it does not name`);
      } else if (!isEachIndexOnce(indices, expected)) {
        problems.push(
          `${describe}: metric ${metricId} holds ${indices.length} measures ` +
            `(${new Set(indices).size} distinct) of the ${expected} sent`,
        );
      }
    }
    const missing = [...request.measures.keys()].filter((metricId) => !stored.has(metricId));
    if (is202 && missing.length > 0) {
      problems.push(`${describe}: lost for metric(s) ${missing.join(', ')}`);
    } else if (options.atomicRequests && stored.size > 0 && missing.length > 0) {
      problems.push(`${describe}: stored for some metrics only, not ${missing.join(', ')}`);
    }
  }
  return { acknowledged, storedUnacknowledged };
}

/** Whether `indices` holds each of 0 … expected − 1 exactly once. */
function isEachIndexOnce(indices: readonly number[], expected: number): boolean {
  if (indices.length !== expected) return false;
  const sorted = [...indices].sort((a, b) => a - b);
  return sorted.every((index, position) => index === position);
}

function describeOutcome(outcome: SentRequest['outcome']): string {
  switch (outcome.kind) {
    case 'answered':
      return `answered ${outcome.status}`;
    case 'no-answer':
      return `no answer: ${outcome.error}`;
    case 'timed-out':
      return 'timed out';
  }
}

/** Opens the incoming store at `url` (`file://…` or `redis://…`), audits it and closes it. */
export async function auditIncomingAt(
  url: string,
  options: Omit<IncomingAuditOptions, 'incoming'>,
): Promise<IncomingAudit> {
  const backend = parseDataBackendUrl(url, 'incomingUrl', { fsync: false });
  const incoming = new Incoming(createIncomingDriver(backend));
  try {
    return await auditIncoming({ ...options, incoming });
  } finally {
    await incoming.driver.close();
  }
}
