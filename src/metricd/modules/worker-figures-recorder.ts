/**
 * Each metricd writes its workers' figures as series of `metricd_worker` resources, every
 * second, while the `metricd_workers` sub-health group is enabled: the waits (seconds blocked
 * on storage per second, in-flight ops older than the complaint time, metrics found locked per
 * second) and the load (metrics, measures and bytes written per second). Every metricd does,
 * active or standby, so that a cluster's detector sees every worker of every host.
 */
import type { WorkerStatus } from '../../coordination/index.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import { METRICD_WORKERS_GROUP, resolveGroup } from '../../subhealth/index.ts';
import { ResourceSeriesWriter } from './resource-series.ts';
import {
  ensureSubhealthSchema,
  SUBHEALTH_ARCHIVE_POLICY,
  SUBHEALTH_CREATOR,
  subhealthResourceId,
  WORKER_RESOURCE_TYPE,
} from './subhealth-schema.ts';

/** What the recorder is made with. */
export interface WorkerFiguresRecorderOptions {
  readonly indexer: Indexer;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly logger: Pick<Logger, 'error'>;
  /** This metricd's workers as its supervisor sees them. */
  readonly workers: () => readonly WorkerStatus[];
  /** The host the workers run on. */
  readonly host: string;
  readonly defaultAggregationMethods: readonly string[];
  /** Milliseconds between two records. @defaultValue `1000` */
  readonly everyMs?: number;
  /** @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** How often the group's settings are read again. */
const SETTINGS_EVERY_MS = 5_000;

interface Totals {
  readonly at: number;
  readonly ioWaitSeconds: number;
  readonly metrics: number;
  readonly measures: number;
  readonly bytes: number;
  readonly locked: number;
}

/** The recorder of one metricd. */
export class WorkerFiguresRecorder {
  readonly #options: WorkerFiguresRecorderOptions;
  readonly #writer: ResourceSeriesWriter;
  readonly #now: () => number;
  readonly #last = new Map<string, Totals>();
  #enabled = false;
  #settingsAt = -Infinity;
  #schemaReady = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: WorkerFiguresRecorderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#writer = new ResourceSeriesWriter({
      indexer: options.indexer,
      incoming: options.incoming,
      archivePolicyName: SUBHEALTH_ARCHIVE_POLICY,
    });
  }

  /** Records every `everyMs` until {@link stop}. */
  start(): void {
    this.#timer = setInterval(() => {
      if (this.#running !== undefined) return;
      this.#running = this.record(this.#now())
        .catch((error: unknown) => {
          this.#options.logger.error({ err: error }, 'recording worker figures failed');
        })
        .finally(() => {
          this.#running = undefined;
        });
    }, this.#options.everyMs ?? 1_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One record at `now` (ms): rates since the last one, for each worker seen both times. */
  async record(now: number): Promise<void> {
    await this.#readSettings(now);
    if (!this.#enabled) {
      this.#last.clear();
      return;
    }
    for (const worker of this.#options.workers()) {
      const totals: Totals = {
        at: now,
        ioWaitSeconds: worker.ioWaitSeconds ?? 0,
        metrics: worker.metricsProcessed,
        measures: worker.measuresProcessed,
        bytes: worker.bytesWritten ?? 0,
        locked: worker.metricsLocked,
      };
      const last = this.#last.get(worker.name);
      this.#last.set(worker.name, totals);
      if (last === undefined || now <= last.at) continue;
      const seconds = (now - last.at) / 1000;
      const perSecond = (key: Exclude<keyof Totals, 'at'>): number =>
        Math.max(0, totals[key] - last[key]) / seconds;
      const point = (value: number): { timestamps: number[]; values: number[] } => ({
        timestamps: [now * 1000],
        values: [value],
      });
      await this.#writer.write(
        {
          id: subhealthResourceId(worker.name),
          type: WORKER_RESOURCE_TYPE,
          originalResourceId: worker.name,
          creator: SUBHEALTH_CREATOR,
          userId: null,
          projectId: null,
          startedAt: now * 1000,
          endedAt: null,
          attributes: { name: worker.name, host: this.#options.host, index: worker.index },
          metrics: {},
        },
        new Map([
          ['io_wait_seconds:rate', point(perSecond('ioWaitSeconds'))],
          ['stalled_ops', point(worker.ops?.slowOps ?? 0)],
          ['metrics_locked:rate', point(perSecond('locked'))],
          ['metrics_processed:rate', point(perSecond('metrics'))],
          ['measures_processed:rate', point(perSecond('measures'))],
          ['bytes_written:rate', point(perSecond('bytes'))],
        ]),
      );
    }
  }

  async #readSettings(now: number): Promise<void> {
    if (now - this.#settingsAt < SETTINGS_EVERY_MS) return;
    this.#settingsAt = now;
    const stored = (await this.#options.indexer.listSubhealthGroups()).find(
      (record) => record.name === METRICD_WORKERS_GROUP,
    );
    this.#enabled = resolveGroup(METRICD_WORKERS_GROUP, stored?.settings ?? {}).enabled;
    if (this.#enabled && !this.#schemaReady) {
      await ensureSubhealthSchema(this.#options.indexer, this.#options.defaultAggregationMethods);
      this.#schemaReady = true;
    }
  }
}
