/**
 * Sub-health detection as a module of the active reporter: every second it reads the groups'
 * settings from the indexer (so that a change through the API applies at the next check, with
 * no restart), and runs each enabled group's check when its interval comes round. A check reads
 * what each instance showed over the interval before it (`group-samples.ts`), lets the group's
 * detector pick its slow instances, stores one finding per slow instance (the seed's rows), writes
 * the count as the `slow_instances` series of the group's resource, and logs one warning per
 * finding. Check times are multiples of the interval, so that every process agrees on them and
 * a standby taking over neither repeats nor skips one.
 */
import type { Indexer, SubhealthFinding } from '../../indexer/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Storage } from '../../storage/index.ts';
import {
  readGroups,
  SlowInstanceDetector,
  type CheckOutcome,
  type SubhealthGroup,
} from '../../subhealth/index.ts';
import type { ModuleStatus, ReporterModule } from '../reporter/reporter-module.ts';
import { readGroupSamples, type GroupInstance } from './group-samples.ts';
import { ResourceSeriesWriter } from './resource-series.ts';
import {
  ensureSubhealthSchema,
  GROUP_RESOURCE_TYPE,
  SUBHEALTH_ARCHIVE_POLICY,
  SUBHEALTH_CREATOR,
  subhealthResourceId,
} from './subhealth-schema.ts';

/** What the checker is made with. */
export interface SubhealthCheckerOptions {
  readonly indexer: Indexer;
  readonly storage: Pick<Storage, 'getMeasures'>;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly defaultAggregationMethods: readonly string[];
}

/** Findings older than this are deleted (the timeline and the drill-down look back a day). */
export const FINDINGS_KEEP_US = 30 * 86_400 * 1_000_000;
const EXPIRE_EVERY_MS = 3_600_000;

interface GroupState {
  readonly detector: SlowInstanceDetector;
  group: SubhealthGroup;
  lastCheckTime: number | undefined;
  checks: number;
  findings: number;
  instances: number;
  suspects: readonly string[];
  slow: readonly { readonly name: string; readonly host: string | null; readonly excess: number }[];
  lastError: string | undefined;
}

/** The module. */
export class SubhealthChecker implements ReporterModule {
  readonly name = 'subhealth';
  readonly intervalMs = 1_000;
  readonly #options: SubhealthCheckerOptions;
  readonly #writer: ResourceSeriesWriter;
  readonly #groups = new Map<string, GroupState>();
  #expiredAt = -Infinity;
  /** The stored groups skipped as invalid at the last read, with what was said of each. */
  #invalidReported = new Map<string, string>();

  constructor(options: SubhealthCheckerOptions) {
    this.#options = options;
    this.#writer = new ResourceSeriesWriter({
      indexer: options.indexer,
      incoming: options.incoming,
      archivePolicyName: SUBHEALTH_ARCHIVE_POLICY,
    });
  }

  async start(): Promise<void> {
    await ensureSubhealthSchema(this.#options.indexer, this.#options.defaultAggregationMethods);
  }

  async stop(): Promise<void> {
    // NOTE: a reporter that becomes active again starts its streaks afresh; so does a standby.
    this.#groups.clear();
    this.#writer.forget();
    return Promise.resolve();
  }

  /** Reads the settings and runs every check that is due at `now` (ms). */
  async tick(now: number): Promise<void> {
    const { indexer } = this.#options;
    const groups = await this.#readGroups();
    for (const name of this.#groups.keys()) {
      if (!groups.some((group) => group.name === name)) this.#groups.delete(name);
    }
    for (const group of groups) {
      let state = this.#groups.get(group.name);
      if (state === undefined) {
        state = newState(group);
        this.#groups.set(group.name, state);
      }
      state.group = group;
      if (!group.enabled) {
        if (state.lastCheckTime !== undefined) this.#groups.set(group.name, newState(group));
        continue;
      }
      const intervalMs = group.intervalSeconds * 1000;
      const checkTime = Math.floor(now / intervalMs) * intervalMs;
      if (state.lastCheckTime !== undefined && checkTime <= state.lastCheckTime) continue;
      state.lastCheckTime = checkTime;
      try {
        await this.#check(state, checkTime, intervalMs, now);
        state.lastError = undefined;
      } catch (error) {
        state.lastError = error instanceof Error ? error.message : String(error);
        throw error;
      }
    }
    if (now - this.#expiredAt >= EXPIRE_EVERY_MS) {
      this.#expiredAt = now;
      await indexer.expireSubhealthFindings(now * 1000 - FINDINGS_KEEP_US);
    }
  }

  status(): ModuleStatus {
    const groups: Record<string, unknown> = {};
    for (const [name, state] of this.#groups) {
      const { group } = state;
      groups[name] = {
        enabled: group.enabled,
        dry_run: group.dryRun,
        strategy: group.strategy,
        interval_seconds: group.intervalSeconds,
        settle_seconds: group.settleSeconds,
        last_check:
          state.lastCheckTime === undefined ? null : new Date(state.lastCheckTime).toISOString(),
        checks: state.checks,
        instances: state.instances,
        suspects: state.suspects.length,
        slow_instances: state.slow.length,
        slow: state.slow,
        findings: state.findings,
        last_error: state.lastError ?? null,
      };
    }
    return { groups };
  }

  /** Every group: the built-in ones and those users added, with what is stored over them. */
  async #readGroups(): Promise<readonly SubhealthGroup[]> {
    const { groups, invalid } = await readGroups(this.#options.indexer);
    const reported = new Map<string, string>();
    for (const { name, error } of invalid) {
      // NOTE: the API checks every change; this is a row written by hand or by a newer version.
      // Groups are read at every tick: it is said once, and again only if it changes.
      const said = error instanceof Error ? error.message : String(error);
      reported.set(name, said);
      if (this.#invalidReported.get(name) === said) continue;
      this.#options.logger.error({ err: error, group: name }, 'sub-health group skipped');
    }
    this.#invalidReported = reported;
    return groups;
  }

  async #check(
    state: GroupState,
    checkTime: number,
    intervalMs: number,
    now: number,
  ): Promise<void> {
    const { indexer, storage, logger } = this.#options;
    const { group } = state;
    const windowEnd = checkTime - group.settleSeconds * 1000;
    const instances = await readGroupSamples(
      { indexer, storage },
      group,
      (windowEnd - intervalMs) * 1000,
      windowEnd * 1000,
    );
    const outcome = state.detector.check(
      instances.map((instance) => instance.sample),
      group,
    );
    const byId = new Map(instances.map((instance) => [instance.resourceId, instance]));
    const findings = outcome.slow.flatMap((id) => {
      const instance = byId.get(id);
      return instance === undefined ? [] : [toFinding(group, instance, outcome, checkTime, now)];
    });
    await indexer.addSubhealthFindings(findings);
    state.checks++;
    state.findings += findings.length;
    state.instances = instances.length;
    state.suspects = outcome.suspects;
    state.slow = findings.map((finding) => ({
      name: finding.instanceName,
      host: finding.hostName,
      excess: finding.excess,
    }));
    for (const finding of findings) {
      const fields = {
        group: group.name,
        instance: finding.instanceName,
        host: finding.hostName,
        checkTime: new Date(checkTime).toISOString(),
        waitShare: finding.waitShare,
        loadShare: finding.loadShare,
        excess: finding.excess,
        topWaits: finding.topWaits,
      };
      if (group.dryRun) logger.info(fields, 'sub-health dry run: would flag a slow instance');
      else logger.warn(fields, 'slow instance: it waits more than its share of the load explains');
    }
    if (group.dryRun) return;
    await this.#writer.write(
      {
        id: subhealthResourceId(`subhealth-group-${group.name}`),
        type: GROUP_RESOURCE_TYPE,
        originalResourceId: `subhealth-group-${group.name}`,
        creator: SUBHEALTH_CREATOR,
        userId: null,
        projectId: null,
        startedAt: checkTime * 1000,
        endedAt: null,
        attributes: { group: group.name },
        metrics: {},
      },
      new Map([
        ['slow_instances', { timestamps: [checkTime * 1000], values: [findings.length] }],
        ['suspects', { timestamps: [checkTime * 1000], values: [outcome.suspects.length] }],
      ]),
    );
  }
}

function newState(group: SubhealthGroup): GroupState {
  return {
    detector: new SlowInstanceDetector(),
    group,
    lastCheckTime: undefined,
    checks: 0,
    findings: 0,
    instances: 0,
    suspects: [],
    slow: [],
    lastError: undefined,
  };
}

function toFinding(
  group: SubhealthGroup,
  instance: GroupInstance,
  outcome: CheckOutcome,
  checkTime: number,
  now: number,
): SubhealthFinding {
  const score = outcome.scores.instances.find((candidate) => candidate.id === instance.resourceId);
  const topWaits = Object.fromEntries(
    Object.entries(instance.waitsBySignal)
      .filter(([, value]) => value > 0)
      .sort(([, a], [, b]) => b - a),
  );
  return {
    ctime: now * 1000,
    cluster: group.name,
    checkTime: checkTime * 1000,
    hostId: instance.hostId,
    hostName: instance.hostName,
    instanceId: instance.resourceId,
    instanceName: instance.name,
    waits: score?.waits ?? 0,
    waitShare: score?.waitShare ?? 0,
    loadShare: score?.loadShare ?? 0,
    excess: score?.excess ?? 0,
    topWaits,
    dryRun: group.dryRun,
  };
}
