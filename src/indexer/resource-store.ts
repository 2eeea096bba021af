/**
 * Resource types and resources in SQL, each operation one transaction: the rows, the revisions
 * kept in `resource_history`, the metrics attached by name, and the per-attribute indexes of a
 * type. Used by `KyselyIndexer`, which turns what is left of driver errors into domain errors.
 */
import { createHash } from 'node:crypto';

import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';

import type { ResourceFilter } from '../grammar/index.ts';
import {
  applyResourceChanges,
  GENERIC_TYPE,
  type AttributeSpec,
  type MetricAttachment,
  type NewResource,
  type Resource,
  type ResourceChanges,
  type ResourceType,
  type ResourceTypeChange,
  type ResourceTypeState,
  type StoredAttributeValue,
} from '../resource/index.ts';
import {
  ArchivePolicyNotFoundError,
  MetricNotFoundError,
  NamedMetricAlreadyExistsError,
  ResourceAlreadyExistsError,
  ResourceNotFoundError,
  ResourceTypeAlreadyExistsError,
  ResourceTypeInUseError,
  ResourceTypeNotFoundError,
} from './errors.ts';
import type { IndexerTables, ResourceTypeTable } from './indexer-tables.ts';
import { attributeKindOf } from './resource-fields.ts';
import type { ResourceQuery } from './resource-query.ts';
import { matchingResourceIds, searchResourceRows, type ResourceRow } from './resource-search.ts';
import type { DriverErrorKind, SqlDialect } from './sql-dialect.ts';

type Db = Kysely<IndexerTables> | Transaction<IndexerTables>;

/** Resources created before the planner's statistics are first refreshed. */
const FIRST_STATISTICS = 64;

/** Ids per `IN (…)` list, well under both backends' limits on bound parameters. */
const IDS_PER_QUERY = 500;

/** What the store needs of its indexer. */
export interface ResourceStoreContext {
  readonly db: Kysely<IndexerTables>;
  readonly dialect: SqlDialect;
  /** Microseconds, strictly increasing: creation order of metrics, and revision times. */
  readonly clock: () => number;
}

/** Resource types and resources on one database. */
export class ResourceStore {
  readonly #db: Kysely<IndexerTables>;
  readonly #dialect: SqlDialect;
  readonly #clock: () => number;
  /** Resources created by this process, and how many more before statistics are refreshed. */
  #created = 0;
  #nextStatistics = FIRST_STATISTICS;

  constructor(context: ResourceStoreContext) {
    this.#db = context.db;
    this.#dialect = context.dialect;
    this.#clock = context.clock;
  }

  async createResourceType(type: ResourceType): Promise<ResourceType> {
    await this.#db.transaction().execute(async (trx) => {
      await this.#guard(
        trx
          .insertInto('resource_type')
          .values({
            name: type.name,
            attributes: JSON.stringify(specsJson(type)),
            state: type.state,
          })
          .execute(),
        () => new ResourceTypeAlreadyExistsError(type.name),
      );
      for (const [name, spec] of Object.entries(type.attributes)) {
        await this.#createAttributeIndex(trx, type.name, name, spec);
      }
    });
    return type;
  }

  async getResourceType(name: string): Promise<ResourceType | undefined> {
    const row = await this.#db
      .selectFrom('resource_type')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : this.#toResourceType(row);
  }

  async listResourceTypes(): Promise<ResourceType[]> {
    const rows = await this.#db.selectFrom('resource_type').selectAll().execute();
    return rows
      .map((row) => this.#toResourceType(row))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async updateResourceType(
    name: string,
    change: (current: ResourceType) => ResourceTypeChange,
  ): Promise<ResourceType> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('resource_type')
        .selectAll()
        .where('name', '=', name)
        .$if(this.#dialect.supportsForUpdate, (query) => query.forUpdate())
        .executeTakeFirst();
      if (row === undefined) throw new ResourceTypeNotFoundError(name);
      const current = this.#toResourceType(row);
      const { type, removed, filled } = change(current);
      await trx
        .updateTable('resource_type')
        .set({ attributes: JSON.stringify(specsJson(type)) })
        .where('name', '=', name)
        .execute();
      for (const table of ['resource', 'resource_history'] as const) {
        for (const attribute of removed) {
          await sql`update ${sql.table(table)} set attributes = ${this.#dialect.withoutAttribute(attribute)} where type = ${name}`.execute(
            trx,
          );
        }
        for (const [attribute, value] of Object.entries(filled)) {
          const spec = type.attributes[attribute];
          if (spec === undefined) continue;
          const kind = attributeKindOf(spec.type);
          await sql`update ${sql.table(table)} set attributes = ${this.#dialect.withAttribute(attribute, JSON.stringify(value))} where type = ${name} and ${this.#dialect.attributeExpression(attribute, kind)} is null`.execute(
            trx,
          );
        }
      }
      for (const attribute of removed) {
        await sql`drop index if exists ${sql.id(attributeIndexName(name, attribute))}`.execute(trx);
      }
      for (const [attribute, spec] of Object.entries(type.attributes)) {
        const before = current.attributes[attribute];
        if (before !== undefined && attributeKindOf(before.type) === attributeKindOf(spec.type))
          continue;
        await this.#createAttributeIndex(trx, name, attribute, spec);
      }
      return type;
    });
  }

  async deleteResourceType(name: string): Promise<void> {
    if (name === GENERIC_TYPE) throw new ResourceTypeInUseError(name);
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('resource_type')
        .selectAll()
        .where('name', '=', name)
        .$if(this.#dialect.supportsForUpdate, (query) => query.forUpdate())
        .executeTakeFirst();
      if (row === undefined) throw new ResourceTypeNotFoundError(name);
      const used = await trx
        .selectFrom('resource')
        .select('id')
        .where('type', '=', name)
        .limit(1)
        .executeTakeFirst();
      if (used !== undefined) throw new ResourceTypeInUseError(name);
      await trx.deleteFrom('resource_history').where('type', '=', name).execute();
      await this.#guard(
        trx.deleteFrom('resource_type').where('name', '=', name).execute(),
        () => new ResourceTypeInUseError(name),
      );
      for (const attribute of Object.keys(this.#toResourceType(row).attributes)) {
        await sql`drop index if exists ${sql.id(attributeIndexName(name, attribute))}`.execute(trx);
      }
    });
  }

  async createResource(resource: NewResource): Promise<Resource> {
    const created = await this.#db.transaction().execute(async (trx) => {
      const at = this.#clock();
      await this.#guard(
        trx
          .insertInto('resource')
          .values({
            id: resource.id,
            type: resource.type,
            original_resource_id: resource.originalResourceId,
            creator: resource.creator,
            user_id: resource.userId,
            project_id: resource.projectId,
            started_at: resource.startedAt,
            ended_at: resource.endedAt,
            revision: 1,
            revision_start: at,
            attributes: JSON.stringify(resource.attributes),
          })
          .execute(),
        (violation) =>
          violation === 'unique-violation'
            ? new ResourceAlreadyExistsError(resource.id)
            : new ResourceTypeNotFoundError(resource.type),
      );
      await this.#attach(trx, resource.id, resource.creator, resource.metrics);
      return this.#requireResource(trx, GENERIC_TYPE, resource.id);
    });
    // NOTE: each time the resources created here double, as a table's shape changes most then.
    this.#created += 1;
    if (this.#created >= this.#nextStatistics) {
      this.#nextStatistics = this.#created * 2;
      await this.#dialect.refreshStatistics(this.#db);
    }
    return created;
  }

  async getResource(type: string, id: string): Promise<Resource | undefined> {
    const [row] = await this.#currentRows(this.#db, type, [id]);
    return row === undefined ? undefined : (await this.#toResources(this.#db, [row]))[0];
  }

  async updateResource(
    type: string,
    id: string,
    change: (current: Resource) => ResourceChanges,
  ): Promise<Resource> {
    return this.#db.transaction().execute(async (trx) => {
      const current = await this.#requireResource(trx, type, id, true);
      const changes = change(current);
      const { next, changed } = applyResourceChanges(current, changes);
      if (changed) {
        const counter = await trx
          .selectFrom('resource')
          .select('revision')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const revision = Number(counter.revision);
        const at = Math.max(this.#clock(), current.revisionStart + 1);
        await trx
          .insertInto('resource_history')
          .values({ ...this.#columnsOf(current), revision, revision_end: at })
          .execute();
        await trx
          .updateTable('resource')
          .set({ ...this.#columnsOf(next), revision: revision + 1, revision_start: at })
          .where('id', '=', id)
          .execute();
      }
      if (changes.metrics !== undefined) {
        await trx
          .updateTable('metric')
          .set({ resource_id: null })
          .where('resource_id', '=', id)
          .where('status', '=', 'active')
          .execute();
        await this.#attach(trx, id, current.creator, changes.metrics);
      }
      return this.#requireResource(trx, GENERIC_TYPE, id);
    });
  }

  async attachMetrics(
    type: string,
    id: string,
    metrics: Readonly<Record<string, MetricAttachment>>,
  ): Promise<Resource> {
    return this.#db.transaction().execute(async (trx) => {
      const current = await this.#requireResource(trx, type, id, true);
      await this.#attach(trx, id, current.creator, metrics);
      return this.#requireResource(trx, GENERIC_TYPE, id);
    });
  }

  async deleteResource(type: string, id: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await this.#requireResource(trx, type, id, true);
      await this.#deleteRows(trx, [id]);
    });
  }

  async deleteResources(
    type: ResourceType | undefined,
    typeName: string,
    filter: ResourceFilter,
    now: number,
  ): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const ids = await matchingResourceIds(trx, this.#dialect, type, typeName, filter, now);
      for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
        await this.#deleteRows(trx, ids.slice(start, start + IDS_PER_QUERY));
      }
      return ids.length;
    });
  }

  async searchResources(type: ResourceType | undefined, query: ResourceQuery): Promise<Resource[]> {
    const rows = await searchResourceRows(this.#db, this.#dialect, type, query);
    return this.#toResources(this.#db, rows);
  }

  /** Marks the resources' metrics for deletion (the janitor expunges them), then drops the rows. */
  async #deleteRows(trx: Transaction<IndexerTables>, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await trx
      .updateTable('metric')
      .set({ status: 'delete', resource_id: null })
      .where('resource_id', 'in', ids)
      .where('status', '=', 'active')
      .execute();
    await trx.deleteFrom('resource_history').where('id', 'in', ids).execute();
    await trx.deleteFrom('resource').where('id', 'in', ids).execute();
  }

  /** Attaches metrics by name: new ones are created, existing ones must be the creator's. */
  async #attach(
    trx: Transaction<IndexerTables>,
    resourceId: string,
    creator: string,
    metrics: Readonly<Record<string, MetricAttachment>>,
  ): Promise<void> {
    for (const [name, metric] of Object.entries(metrics)) {
      const conflict = (): Error => new NamedMetricAlreadyExistsError(name, resourceId);
      if (metric.kind === 'new') {
        const policy = metric.archivePolicyName;
        await this.#guard(
          trx
            .insertInto('metric')
            .values({
              id: metric.id,
              name,
              unit: metric.unit,
              archive_policy_name: metric.archivePolicyName,
              creator,
              resource_id: resourceId,
              status: 'active',
              created_at: this.#clock(),
            })
            .execute(),
          (violation) =>
            violation === 'foreign-key-violation'
              ? new ArchivePolicyNotFoundError(policy)
              : conflict(),
        );
        continue;
      }
      const result = await this.#guard(
        trx
          .updateTable('metric')
          .set({ resource_id: resourceId, name })
          .where('id', '=', metric.id)
          .where('status', '=', 'active')
          .where('creator', '=', creator)
          .executeTakeFirst(),
        conflict,
      );
      if (result.numUpdatedRows === 0n) throw new MetricNotFoundError(metric.id);
    }
  }

  async #requireResource(db: Db, type: string, id: string, lock = false): Promise<Resource> {
    const [row] = await this.#currentRows(db, type, [id], lock);
    if (row === undefined) throw new ResourceNotFoundError(id);
    const [resource] = await this.#toResources(db, [row]);
    if (resource === undefined) throw new ResourceNotFoundError(id);
    return resource;
  }

  async #currentRows(
    db: Db,
    type: string,
    ids: readonly string[],
    lock = false,
  ): Promise<ResourceRow[]> {
    const rows = await db
      .selectFrom('resource')
      .selectAll()
      .where('id', 'in', ids)
      .$if(type !== GENERIC_TYPE, (query) => query.where('type', '=', type))
      .$if(lock && this.#dialect.supportsForUpdate, (query) => query.forUpdate())
      .execute();
    return rows.map((row) => ({ ...row, revision: -1, revision_end: null }));
  }

  async #toResources(db: Db, rows: readonly ResourceRow[]): Promise<Resource[]> {
    const metrics = new Map<string, Record<string, string>>();
    const ids = [...new Set(rows.map((row) => row.id))];
    for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
      const attached = await db
        .selectFrom('metric')
        .select(['id', 'name', 'resource_id'])
        .where('resource_id', 'in', ids.slice(start, start + IDS_PER_QUERY))
        .where('status', '=', 'active')
        .execute();
      for (const metric of attached) {
        if (metric.resource_id === null || metric.name === null) continue;
        const named = metrics.get(metric.resource_id) ?? {};
        named[metric.name] = metric.id;
        metrics.set(metric.resource_id, named);
      }
    }
    return rows.map((row) =>
      Object.freeze({
        id: row.id,
        type: row.type,
        originalResourceId: row.original_resource_id,
        creator: row.creator,
        userId: row.user_id,
        projectId: row.project_id,
        startedAt: Number(row.started_at),
        endedAt: row.ended_at === null ? null : Number(row.ended_at),
        revisionStart: Number(row.revision_start),
        revisionEnd: row.revision_end === null ? null : Number(row.revision_end),
        revision: Number(row.revision),
        attributes: this.#dialect.readJson(row.attributes) as Record<string, StoredAttributeValue>,
        metrics: metrics.get(row.id) ?? {},
      }),
    );
  }

  #columnsOf(resource: Resource) {
    return {
      id: resource.id,
      type: resource.type,
      original_resource_id: resource.originalResourceId,
      creator: resource.creator,
      user_id: resource.userId,
      project_id: resource.projectId,
      started_at: resource.startedAt,
      ended_at: resource.endedAt,
      revision_start: resource.revisionStart,
      attributes: JSON.stringify(resource.attributes),
    };
  }

  async #createAttributeIndex(
    trx: Db,
    type: string,
    name: string,
    spec: AttributeSpec,
  ): Promise<void> {
    await this.#dialect
      .attributeIndex(attributeIndexName(type, name), type, name, attributeKindOf(spec.type))
      .execute(trx);
  }

  #toResourceType(row: Selectable<ResourceTypeTable>): ResourceType {
    return Object.freeze({
      name: row.name,
      attributes: Object.freeze(
        this.#dialect.readJson(row.attributes) as Record<string, AttributeSpec>,
      ),
      state: row.state as ResourceTypeState,
    });
  }

  /** Runs a statement, turning the constraint violation it may hit into the error it means. */
  async #guard<T>(
    statement: Promise<T>,
    onViolation: (violation: Exclude<DriverErrorKind, 'unavailable'>) => Error,
  ): Promise<T> {
    try {
      return await statement;
    } catch (error) {
      const kind = this.#dialect.classifyError(error);

      if (kind === undefined || kind === 'unavailable') throw error;
      throw onViolation(kind);
    }
  }
}

/** Specs as stored: the domain objects themselves, which are plain JSON. */
function specsJson(type: ResourceType): Record<string, AttributeSpec> {
  return { ...type.attributes };
}

/** The index of one attribute of one type: a hash, since names may be long or odd. */
function attributeIndexName(type: string, attribute: string): string {
  return `ix_ra_${createHash('sha1').update(`${type}\u0000${attribute}`).digest('hex').slice(0, 20)}`;
}
