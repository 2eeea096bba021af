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

/** `resource_type`: one row per type, `generic` included; attribute specs as JSON. */
export interface ResourceTypeTable {
  readonly name: string;
  /** `Record<string, AttributeSpec>` as JSON. */
  readonly attributes: JsonColumn;
  readonly state: string;
}

/**
 * A 64-bit integer: microseconds since the epoch, or a revision number. PostgreSQL's driver reads
 * `bigint` back as a string, so reads go through `Number()`.
 */
export type BigintColumn = ColumnType<number | string, number, number>;

/** The columns of a resource's state, current or past. */
export interface ResourceColumns {
  readonly id: string;
  readonly type: string;
  readonly original_resource_id: string;
  readonly creator: string;
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly started_at: BigintColumn;
  readonly ended_at: ColumnType<number | string | null, number | null, number | null>;
  /** Numbers the resource's revisions: a history row keeps the number its state had. */
  readonly revision: BigintColumn;
  readonly revision_start: BigintColumn;
  /**
   * The type's attribute values, `Record<string, StoredAttributeValue>` as JSON. One document per
   * row rather than a table per type (Gnocchi's way): a type change is an update of documents
   * instead of DDL on a table of its own, a listing across types reads one table, and each
   * attribute still gets an index of its own (`SqlDialect.attributeIndex`) on the expression
   * searches use.
   */
  readonly attributes: JsonColumn;
}

/** `resource`: the current state of every resource. */
export type ResourceTable = ResourceColumns;

/** `resource_history`: every past state, until the resource is deleted. */
export interface ResourceHistoryTable extends ResourceColumns {
  readonly revision_end: BigintColumn;
}

/** `api_user`: the users of the `verified` auth mode. */
export interface ApiUserTable {
  readonly name: string;
  readonly password_hash: string;
  readonly project_id: string | null;
  /** `string[]` as JSON. */
  readonly roles: JsonColumn;
  readonly created_at: BigintColumn;
}

/** `api_token`: API tokens, by their public id; only a digest of the secret is kept. */
export interface ApiTokenTable {
  readonly id: string;
  readonly user_name: string;
  readonly secret_hash: string;
  readonly description: string | null;
  readonly created_at: BigintColumn;
  readonly expires_at: ColumnType<number | string | null, number | null, number | null>;
}

/** `subhealth_group`: a sub-health group's settings as users set them. */
export interface SubhealthGroupTable {
  readonly name: string;
  readonly settings: JsonColumn;
  readonly updated_at: BigintColumn;
}

/** `subhealth_finding`: one slow instance in one check (the seed's `slow_inst`). */
export interface SubhealthFindingTable {
  readonly ctime: BigintColumn;
  readonly cluster: string;
  readonly check_time: BigintColumn;
  readonly host_id: string | null;
  readonly host_name: string | null;
  readonly inst_id: string;
  readonly inst_name: string;
  readonly waits: number;
  readonly wait_share: number;
  readonly load_share: number;
  readonly excess: number;
  readonly top_waits: JsonColumn;
  /** 1 for a dry-run row. */
  readonly dry_run: number;
}

/** Every table of the indexer. */
export interface IndexerTables {
  readonly archive_policy: ArchivePolicyTable;
  readonly archive_policy_rule: ArchivePolicyRuleTable;
  readonly metric: MetricTable;
  readonly resource_type: ResourceTypeTable;
  readonly resource: ResourceTable;
  readonly resource_history: ResourceHistoryTable;
  readonly api_user: ApiUserTable;
  readonly api_token: ApiTokenTable;
  readonly subhealth_group: SubhealthGroupTable;
  readonly subhealth_finding: SubhealthFindingTable;
}
