/**
 * The indexer's tables as Kysely sees them, one interface per table, columns in snake_case as in
 * Gnocchi's schema. The DDL that creates them lives in `migrations.ts`; the two must agree.
 */
import type { ColumnType } from 'kysely';

import type { MetricStatus } from './metric.ts';

/**
 * A JSON document: written as JSON text, read back as text (SQLite) or already parsed (PostgreSQL
 * `jsonb`), which the dialect's `readJson` evens out.
 */
export type JsonColumn = ColumnType<unknown, string, string>;

/** `archive_policy`: one row per policy; durations in the definition are integer microseconds. */
export interface ArchivePolicyTable {
  readonly name: string;
  readonly back_window: number;
  /** `ArchivePolicyItem[]` as JSON. */
  readonly definition: JsonColumn;
  /** `string[]` as JSON. */
  readonly aggregation_methods: JsonColumn;
}

/** `archive_policy_rule`: one row per rule. */
export interface ArchivePolicyRuleTable {
  readonly name: string;
  readonly metric_pattern: string;
  readonly archive_policy_name: string;
}

/** `metric`: one row per metric until the janitor expunges it. */
export interface MetricTable {
  readonly id: string;
  readonly archive_policy_name: string;
  readonly creator: string;
  readonly resource_id: string | null;
  readonly name: string | null;
  readonly unit: string | null;
  readonly status: MetricStatus;
  /**
   * Microseconds since the epoch, strictly increasing within a process; only ever sorted on (the
   * janitor takes the oldest first), never read back, so PostgreSQL's `bigint`-as-string is moot.
   */
  readonly created_at: ColumnType<unknown, number, never>;
}

/** Every table of the indexer. */
export interface IndexerTables {
  readonly archive_policy: ArchivePolicyTable;
  readonly archive_policy_rule: ArchivePolicyRuleTable;
  readonly metric: MetricTable;
}
