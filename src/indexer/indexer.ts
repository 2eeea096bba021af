/**
 * The indexer: archive policies, archive policy rules, metrics, resource types and resources.
 *
 * One interface, several backends (SQLite embedded, PostgreSQL for deployments of several
 * processes), all held to one conformance suite. Every method is atomic. Failures that a caller can
 * act on are domain errors from `./errors.ts`; a backend never leaks its driver's errors for them.
 * Any method may throw `IndexerUnavailableError` when the database is unreachable or busy.
 */
import { type ArchivePolicy, type ArchivePolicyRule } from '../archive-policy/index.ts';
import type { ResourceFilter } from '../grammar/index.ts';
import type {
  MetricAttachment,
  NewResource,
  Resource,
  ResourceChanges,
  ResourceType,
  ResourceTypeChange,
} from '../resource/index.ts';
import type { AccountStore } from './account.ts';
import type { SubhealthStore } from './subhealth.ts';
import { type ListMetricsOptions, type Metric, type NewMetric } from './metric.ts';
import type { ResourceQuery } from './resource-query.ts';

/** Policies and rules to create together. */
export interface ArchivePolicySeed {
  readonly policies: readonly ArchivePolicy[];
  readonly rules: readonly ArchivePolicyRule[];
}

/**
 * The metadata store; also the store of the `verified` auth mode's accounts and of sub-health
 * groups and findings.
 */
export interface Indexer extends AccountStore, SubhealthStore {
  /**
   * Creates or migrates the schema to the newest version; idempotent, and safe when several
   * processes run it at once. Resolves whether this call created the schema from nothing. With
   * `seed`, a schema this call creates holds those policies and rules from the start: both are
   * committed together or not at all.
   */
  upgrade(seed?: ArchivePolicySeed): Promise<boolean>;

  /** Throws `ArchivePolicyAlreadyExistsError` if the name is taken. */
  createArchivePolicy(policy: ArchivePolicy): Promise<ArchivePolicy>;
  getArchivePolicy(name: string): Promise<ArchivePolicy | undefined>;
  /** Ordered by name, by code point on every backend. */
  listArchivePolicies(): Promise<ArchivePolicy[]>;
  /**
   * Replaces a policy with what `change` makes of the current one, atomically (the name stays
   * whatever `change` returns); throws `ArchivePolicyNotFoundError`, or whatever `change` throws,
   * in which case nothing changes.
   */
  updateArchivePolicy(
    name: string,
    change: (current: ArchivePolicy) => ArchivePolicy,
  ): Promise<ArchivePolicy>;
  /**
   * Throws `ArchivePolicyNotFoundError`, or `ArchivePolicyInUseError` while any metric (deleted
   * ones not yet expunged included) or rule refers to it.
   */
  deleteArchivePolicy(name: string): Promise<void>;

  /**
   * Creates the policies and rules in one transaction, on an index that has neither (checked in
   * the same transaction), so that a crash leaves all or nothing; resolves whether it created
   * them (false when anything existed, or when a concurrent call got there first).
   */
  seedArchivePolicies(
    policies: readonly ArchivePolicy[],
    rules: readonly ArchivePolicyRule[],
  ): Promise<boolean>;

  /**
   * Throws `ArchivePolicyRuleAlreadyExistsError`, or `ArchivePolicyNotFoundError` when its policy
   * does not exist.
   */
  createArchivePolicyRule(rule: ArchivePolicyRule): Promise<ArchivePolicyRule>;
  getArchivePolicyRule(name: string): Promise<ArchivePolicyRule | undefined>;
  /** In precedence order: `metric_pattern` descending, then name ascending. */
  listArchivePolicyRules(): Promise<ArchivePolicyRule[]>;
  /**
   * Throws `ArchivePolicyRuleNotFoundError`, or `UnsupportedArchivePolicyRuleChangeError` when
   * another rule has the new name (Gnocchi's 400, unlike the 409 of a duplicate creation).
   */
  renameArchivePolicyRule(name: string, newName: string): Promise<ArchivePolicyRule>;
  /** Throws `ArchivePolicyRuleNotFoundError`. */
  deleteArchivePolicyRule(name: string): Promise<void>;

  /**
   * Throws `ArchivePolicyNotFoundError`, `MetricAlreadyExistsError` (same id), or
   * `NamedMetricAlreadyExistsError` (same name on the same resource).
   */
  createMetric(metric: NewMetric): Promise<Metric>;
  /** An active metric, or with `includeDeleted` also one marked for deletion. */
  getMetric(id: string, options?: { includeDeleted?: boolean }): Promise<Metric | undefined>;
  /**
   * Active metrics with these ids, in the order of `ids` and each once (unknown or deleted ids are
   * left out), for batches.
   */
  getMetrics(ids: readonly string[]): Promise<Metric[]>;
  /**
   * A page of metrics; only active ones unless the filter asks for a status. Throws
   * `InvalidPaginationError` for an unknown sort key or direction, or a marker that is not a
   * metric of the listed status; `RangeError` for a limit that is not a positive integer.
   */
  listMetrics(options: ListMetricsOptions): Promise<Metric[]>;
  /**
   * Marks an active metric for deletion and detaches it from its resource (freeing its name
   * there), as Gnocchi does; throws `MetricNotFoundError`.
   */
  deleteMetric(id: string): Promise<void>;
  /** Metrics marked for deletion, in creation order (oldest first), for the janitor. */
  listMetricsToExpunge(limit: number): Promise<Metric[]>;
  /**
   * Removes the row of a metric marked for deletion (once its data is gone); idempotent, and an
   * active or unknown id is left alone.
   */
  expungeMetric(id: string): Promise<void>;

  /** Throws `ResourceTypeAlreadyExistsError`. */
  createResourceType(type: ResourceType): Promise<ResourceType>;
  getResourceType(name: string): Promise<ResourceType | undefined>;
  /** Ordered by name, by code point. */
  listResourceTypes(): Promise<ResourceType[]>;
  /**
   * Changes a type as `change` says, atomically, removing and filling attribute values of its
   * resources and revisions; throws `ResourceTypeNotFoundError`, or whatever `change` throws.
   */
  updateResourceType(
    name: string,
    change: (current: ResourceType) => ResourceTypeChange,
  ): Promise<ResourceType>;
  /** Throws `ResourceTypeNotFoundError`, or `ResourceTypeInUseError` (`generic`, or in use). */
  deleteResourceType(name: string): Promise<void>;

  /**
   * Creates a resource and attaches its metrics. Throws `ResourceTypeNotFoundError`,
   * `ResourceAlreadyExistsError`, `MetricNotFoundError` (an existing metric that is not active
   * or not the resource creator's), `NamedMetricAlreadyExistsError`, `ArchivePolicyNotFoundError`.
   */
  createResource(resource: NewResource): Promise<Resource>;
  /** The current state of a resource of `type` (`generic`: of any type). */
  getResource(type: string, id: string): Promise<Resource | undefined>;
  /**
   * Applies what `change` makes of the current state, atomically: a new revision when a value
   * changes, the metrics replaced when given. Throws `ResourceNotFoundError`, what `change`
   * throws, and the metric errors of `createResource`.
   */
  updateResource(
    type: string,
    id: string,
    change: (current: Resource) => ResourceChanges,
  ): Promise<Resource>;
  /** Attaches more metrics by name; throws as `updateResource`. */
  attachMetrics(
    type: string,
    id: string,
    metrics: Readonly<Record<string, MetricAttachment>>,
  ): Promise<Resource>;
  /** Deletes a resource and its history, marking its metrics for deletion. */
  deleteResource(type: string, id: string): Promise<void>;
  /**
   * Deletes the current resources of a type that the filter matches, as `deleteResource`; returns
   * how many. Throws `ResourceTypeNotFoundError`, `InvalidResourceFieldError`.
   */
  deleteResources(type: string, filter: ResourceFilter, now: number): Promise<number>;
  /**
   * A page of resources of a type (`generic`: all) matching the filter, in SQL. Throws
   * `ResourceTypeNotFoundError`, `InvalidResourceFieldError`, `InvalidPaginationError`.
   */
  searchResources(query: ResourceQuery): Promise<Resource[]>;

  /** Releases connections. */
  close(): Promise<void>;
}
