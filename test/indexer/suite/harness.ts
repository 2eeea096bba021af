/**
 * What the indexer conformance suite needs from each backend's test file, and the fixtures its
 * parts share.
 */
import { afterEach, beforeEach } from 'node:test';

import { createArchivePolicy, type ArchivePolicy } from '../../../src/archive-policy/index.ts';
import type { Indexer, Metric, NewMetric } from '../../../src/indexer/index.ts';
import type { NewResource } from '../../../src/resource/index.ts';

/** One fresh, empty database with an indexer on it (not yet upgraded). */
export interface IndexerHarness {
  readonly indexer: Indexer;
  /**
   * The URL other processes reach the same database at; absent where a database cannot be shared
   * (SQLite `:memory:` is private to its connection).
   */
  readonly sharedUrl?: string;
  /** Closes the indexer and removes the database (folder, schema). */
  readonly cleanup: () => Promise<void>;
}

/** Makes one harness; called once per test. */
export type MakeIndexer = () => Promise<IndexerHarness>;

/**
 * Gives every test of the enclosing `describe` a fresh harness, upgraded unless told otherwise,
 * and cleans it up afterwards.
 */
export function useIndexer(make: MakeIndexer, options = { upgrade: true }): () => IndexerHarness {
  let harness: IndexerHarness | undefined;
  beforeEach(async () => {
    harness = await make();
    if (options.upgrade) await harness.indexer.upgrade();
  });
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });
  return () => {
    if (harness === undefined) throw new Error('no indexer outside a test');
    return harness;
  };
}

/** Methods used by the fixtures' policies. */
export const DEFAULT_METHODS = ['mean', 'min', 'max', 'sum', 'std', 'count'] as const;

/** A valid policy: one-minute aggregates for a day, unless the definition says otherwise. */
export function testPolicy(
  name: string,
  definition: readonly Record<string, number | string>[] = [{ granularity: 60, points: 1440 }],
  backWindow = 0,
): ArchivePolicy {
  return createArchivePolicy(
    { name, definition, back_window: backWindow },
    { defaultAggregationMethods: DEFAULT_METHODS },
  );
}

/** The metric the indexer should return for `metric`. */
export function expectedMetric(metric: NewMetric): Metric {
  return {
    id: metric.id,
    name: metric.name ?? null,
    unit: metric.unit ?? null,
    archivePolicyName: metric.archivePolicyName,
    creator: metric.creator,
    resourceId: metric.resourceId ?? null,
    status: 'active',
  };
}

let counter = 0;

/** A fresh lowercase UUID that sorts after the ones made before it in this process. */
export function nextId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

/** A resource to create: generic, created by `u:p`, unless told otherwise. */
export function newResource(fields: Partial<NewResource> = {}): NewResource {
  const id = fields.id ?? nextId();
  return {
    id,
    type: 'generic',
    originalResourceId: id,
    creator: 'u:p',
    userId: null,
    projectId: null,
    startedAt: 1_000_000,
    endedAt: null,
    attributes: {},
    metrics: {},
    ...fields,
  };
}
