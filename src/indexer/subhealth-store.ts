/**
 * Sub-health groups and findings in SQL, for `KyselyIndexer`. The timeline and the drill-down
 * are the seed's two queries, on `subhealth_finding` for its `slow_inst`.
 */
import type { Kysely, Selectable } from 'kysely';

import type { RunQuery } from './account-store.ts';
import type { IndexerTables, SubhealthFindingTable } from './indexer-tables.ts';
import type { SqlDialect } from './sql-dialect.ts';
import {
  TRIGGER_WINDOW_US,
  type SubhealthCheckFinding,
  type SubhealthFinding,
  type SubhealthGroupRecord,
  type SubhealthStore,
  type SubhealthTimelinePoint,
} from './subhealth.ts';

/** Rows per insert, well under either database's limit of bound parameters. */
const INSERT_CHUNK = 200;

/** {@link SubhealthStore} on one database. */
export class SqlSubhealthStore implements SubhealthStore {
  readonly #db: Kysely<IndexerTables>;
  readonly #dialect: SqlDialect;
  readonly #run: RunQuery;

  constructor(db: Kysely<IndexerTables>, dialect: SqlDialect, run: RunQuery) {
    this.#db = db;
    this.#dialect = dialect;
    this.#run = run;
  }

  async listSubhealthGroups(): Promise<SubhealthGroupRecord[]> {
    const rows = await this.#run(() =>
      this.#db.selectFrom('subhealth_group').selectAll().orderBy('name').execute(),
    );
    return rows.map((row) =>
      Object.freeze({
        name: row.name,
        settings: Object.freeze(this.#dialect.readJson(row.settings) as Record<string, unknown>),
        updatedAt: Number(row.updated_at),
      }),
    );
  }

  async putSubhealthGroup(record: SubhealthGroupRecord): Promise<void> {
    const settings = JSON.stringify(record.settings);
    await this.#run(() =>
      this.#db
        .insertInto('subhealth_group')
        .values({ name: record.name, settings, updated_at: record.updatedAt })
        .onConflict((conflict) =>
          conflict.column('name').doUpdateSet({ settings, updated_at: record.updatedAt }),
        )
        .execute(),
    );
  }

  async deleteSubhealthGroup(name: string): Promise<boolean> {
    const deleted = await this.#run(() =>
      this.#db.deleteFrom('subhealth_group').where('name', '=', name).executeTakeFirst(),
    );
    return deleted.numDeletedRows > 0n;
  }

  async addSubhealthFindings(findings: readonly SubhealthFinding[]): Promise<void> {
    for (let at = 0; at < findings.length; at += INSERT_CHUNK) {
      const rows = findings.slice(at, at + INSERT_CHUNK).map((finding) => ({
        ctime: finding.ctime,
        cluster: finding.cluster,
        check_time: finding.checkTime,
        host_id: finding.hostId,
        host_name: finding.hostName,
        inst_id: finding.instanceId,
        inst_name: finding.instanceName,
        waits: finding.waits,
        wait_share: finding.waitShare,
        load_share: finding.loadShare,
        excess: finding.excess,
        top_waits: JSON.stringify(finding.topWaits),
        dry_run: finding.dryRun ? 1 : 0,
      }));
      await this.#run(() =>
        this.#db
          .insertInto('subhealth_finding')
          .values(rows)
          .onConflict((conflict) => conflict.doNothing())
          .execute(),
      );
    }
  }

  async subhealthTimeline(
    cluster: string,
    from: number,
    to: number,
    dryRun = false,
  ): Promise<SubhealthTimelinePoint[]> {
    const rows = await this.#run(() =>
      this.#db
        .selectFrom('subhealth_finding')
        .select(({ fn }) => ['check_time', fn.countAll<number | string>().as('slow_inst_num')])
        .where('cluster', '=', cluster)
        .where('dry_run', '=', dryRun ? 1 : 0)
        .where('check_time', '>=', from)
        .where('check_time', '<=', to)
        .groupBy('check_time')
        .orderBy('check_time')
        .execute(),
    );
    return rows.map((row) => ({
      checkTime: Number(row.check_time),
      slowInstances: Number(row.slow_inst_num),
    }));
  }

  async subhealthFindings(
    cluster: string,
    checkTime: number,
    dryRun = false,
  ): Promise<SubhealthCheckFinding[]> {
    const flag = dryRun ? 1 : 0;
    const rows = await this.#run(() =>
      this.#db
        .selectFrom('subhealth_finding as t1')
        .innerJoin(
          (eb) =>
            eb
              .selectFrom('subhealth_finding')
              .select(({ fn }) => ['inst_id', fn.countAll<number | string>().as('trigger_times')])
              .where('cluster', '=', cluster)
              .where('dry_run', '=', flag)
              .where('check_time', '>=', checkTime - TRIGGER_WINDOW_US)
              .where('check_time', '<=', checkTime)
              .groupBy('inst_id')
              .as('t2'),
          (join) => join.onRef('t2.inst_id', '=', 't1.inst_id'),
        )
        .selectAll('t1')
        .select('t2.trigger_times')
        .where('t1.cluster', '=', cluster)
        .where('t1.dry_run', '=', flag)
        .where('t1.check_time', '=', checkTime)
        .orderBy('t1.inst_name')
        .execute(),
    );
    return rows.map((row) => ({
      ...this.#toFinding(row),
      triggerTimes: Number(row.trigger_times),
    }));
  }

  async expireSubhealthFindings(before: number): Promise<number> {
    const deleted = await this.#run(() =>
      this.#db.deleteFrom('subhealth_finding').where('check_time', '<', before).executeTakeFirst(),
    );
    return Number(deleted.numDeletedRows);
  }

  #toFinding(row: Selectable<SubhealthFindingTable>): SubhealthFinding {
    return Object.freeze({
      ctime: Number(row.ctime),
      cluster: row.cluster,
      checkTime: Number(row.check_time),
      hostId: row.host_id,
      hostName: row.host_name,
      instanceId: row.inst_id,
      instanceName: row.inst_name,
      waits: row.waits,
      waitShare: row.wait_share,
      loadShare: row.load_share,
      excess: row.excess,
      topWaits: Object.freeze(this.#dialect.readJson(row.top_waits) as Record<string, number>),
      dryRun: row.dry_run === 1,
    });
  }
}
