/**
 * metricd's reporter, one per metricd, in both modes: every tick it looks after its worker
 * processes and, when it is the active reporter, scans the backlog, hands blocks out through its
 * dispatcher (`local/` or `cluster/`), and publishes the status; its modules (the janitor, …) run
 * while it is active.
 *
 * Between ticks, a scan is requested by sack notifications and by the dispatcher (a finished
 * block); requests made within a few milliseconds are gathered into one scan, and scans and ticks
 * never overlap: one asked for meanwhile runs right after the one in progress, a tick winning
 * over a scan, so that the status keeps flowing under load.
 */
import type { MetricdConfig } from '../../config/index.ts';
import type { MetricdStatus, StatusBoard } from '../../coordination/index.ts';
import type { Incoming, Unsubscribe } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { OpTracker } from '../../optracker/index.ts';
import type { WorkerSupervisor } from '../supervision/worker-supervisor.ts';
import { BacklogGauge } from './backlog-gauge.ts';
import type { BlockDispatcher, ScanTrigger } from './block-dispatcher.ts';
import type { Leadership } from './leadership.ts';
import { ModuleHost } from './module-host.ts';
import type { ReporterModule } from './reporter-module.ts';

/** What a {@link Reporter} works with. */
export interface ReporterDeps {
  readonly dispatcher: BlockDispatcher;
  readonly leadership: Leadership;
  readonly supervisor: Pick<WorkerSupervisor, 'reapHung' | 'stop'>;
  /** Sack notifications, and the backlog's full counts. */
  readonly incoming: Pick<Incoming, 'subscribe' | 'backlog'>;
  readonly board: Pick<StatusBoard, 'publish'>;
  readonly modules: readonly ReporterModule[];
  readonly config: Pick<MetricdConfig, 'tickSeconds' | 'workerTimeoutSeconds'>;
  /** The tracker of the reporter's own ops (its modules'). */
  readonly tracker: Pick<OpTracker, 'health'>;
  readonly logger: Logger;
  /** `<host>.<pid>`. */
  readonly name: string;
  readonly host: string;
  readonly pid?: number;
  /** @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** Delay that gathers a burst of scan requests (notifications, finished blocks) into one scan. */
export const GATHER_MS = 50;

/** The reporter of one metricd. */
export class Reporter {
  readonly #deps: ReporterDeps;
  readonly #now: () => number;
  readonly #startedAt: string;
  readonly #backlog: BacklogGauge;
  readonly #modules: ModuleHost;
  #blockSize = 0;
  #running: Promise<void> | undefined;
  #wanted: ScanTrigger | undefined;
  #gatherTimer: NodeJS.Timeout | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #unsubscribe: Unsubscribe | undefined;
  #stopped = false;

  constructor(deps: ReporterDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#startedAt = new Date(this.#now()).toISOString();
    this.#backlog = new BacklogGauge(deps.incoming, this.#now);
    this.#modules = new ModuleHost({
      modules: deps.modules,
      isActive: () => deps.leadership.isActive(),
      logger: deps.logger,
      now: this.#now,
    });
  }

  /** Joins the leadership, starts the dispatcher, ticks, and listens to sack notifications. */
  async start(): Promise<void> {
    const { leadership, dispatcher, incoming, config } = this.#deps;
    await leadership.start(() => {
      this.#onRoleChange();
    });
    await dispatcher.start({
      requestScan: () => {
        this.requestScan();
      },
    });
    this.#unsubscribe = await incoming.subscribe(() => {
      this.requestScan();
    });
    this.#tickTimer = setInterval(() => void this.tick(), config.tickSeconds * 1000);
    if (leadership.isActive()) await this.#modules.activate();
    void this.tick();
  }

  /** One tick: supervise the workers; when active, scan, hand out blocks and publish. */
  async tick(): Promise<void> {
    await this.#serialize('tick');
  }

  /** A scan soon, gathering the requests of the next few milliseconds into one. */
  requestScan(): void {
    if (this.#stopped || !this.#deps.leadership.isActive()) return;
    if (this.#gatherTimer !== undefined) return;
    this.#gatherTimer = setTimeout(() => {
      this.#gatherTimer = undefined;
      void this.#serialize('request');
    }, GATHER_MS);
    this.#gatherTimer.unref();
  }

  /** Runs the modules whose time has come at `now` (a timer does it while active). */
  async runModules(now: number): Promise<void> {
    await this.#modules.runDue(now);
  }

  /** The document the reporter publishes. */
  async status(): Promise<MetricdStatus> {
    const { tracker, config, name, host, pid } = this.#deps;
    return {
      reporter: {
        name,
        host,
        pid: pid ?? process.pid,
        startedAt: this.#startedAt,
        updatedAt: new Date(this.#now()).toISOString(),
        tickSeconds: config.tickSeconds,
        blockSize: this.#blockSize,
        backlog: this.#backlog.current,
        modules: this.#modules.status(),
        ops: tracker.health(),
      },
      ...(await this.#deps.dispatcher.status()),
    };
  }

  /**
   * Stops ticking and the modules, gives the leadership up (so that a standby takes over at its
   * next beacon), drains the workers, and publishes a last status where it still may.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#tickTimer);
    clearTimeout(this.#gatherTimer);
    await this.#unsubscribe?.();
    await this.#running;
    await this.#modules.deactivate();
    const { leadership, supervisor, dispatcher } = this.#deps;
    await leadership.stop();
    await supervisor.stop();
    await dispatcher.stop();
    if (leadership.isActive()) await this.#publish();
  }

  #onRoleChange(): void {
    const active = this.#deps.leadership.isActive();
    this.#deps.dispatcher.onRoleChange?.(active);
    if (this.#stopped) return;
    if (active) {
      void this.#modules.activate();
      void this.tick();
    } else {
      void this.#modules.deactivate();
    }
  }

  /**
   * Runs a tick or a scan after the one in progress; requests made meanwhile are folded into one,
   * a tick winning over a scan.
   */
  async #serialize(trigger: ScanTrigger): Promise<void> {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      if (trigger === 'tick' || this.#wanted === undefined) this.#wanted = trigger;
      return this.#running;
    }
    this.#running = (trigger === 'tick' ? this.#tick() : this.#scan('request')).finally(() => {
      this.#running = undefined;
      const next = this.#wanted;
      this.#wanted = undefined;
      if (next !== undefined) void this.#serialize(next);
    });
    return this.#running;
  }

  async #tick(): Promise<void> {
    const { supervisor, dispatcher, leadership, config, logger } = this.#deps;
    supervisor.reapHung(config.workerTimeoutSeconds * 1000);
    try {
      await dispatcher.beforeTick?.();
    } catch (error) {
      logger.warn({ err: error }, 'reporting to the active reporter failed');
    }
    if (!leadership.isActive()) return;
    await this.#scan('tick');
    await this.#publish();
  }

  async #scan(trigger: ScanTrigger): Promise<void> {
    if (!this.#deps.leadership.isActive()) return;
    try {
      const result = await this.#deps.dispatcher.scan(trigger);
      this.#blockSize = result.blockSize;
      await this.#backlog.update(result.pendingMetrics);
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'handing out blocks failed');
    }
  }

  async #publish(): Promise<void> {
    const { board, logger } = this.#deps;
    try {
      const published = await board.publish(await this.status());
      if (!published) logger.warn({}, 'status not published: no longer the active reporter');
    } catch (error) {
      logger.warn({ err: error }, 'publishing the metricd status failed');
    }
  }
}
