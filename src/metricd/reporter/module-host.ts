/**
 * Runs the reporter's modules while it is active: each module's `tick` every `intervalMs`, never
 * two of one module at once, never while the reporter is not active, and apart from the
 * reporter's own ticks so that a slow module never delays the hand-out of blocks.
 *
 * `runDue(now)` is the whole schedule: it starts every module whose time has come. A timer calls
 * it in production; tests call it with their own clock.
 */
import type { Logger } from '../../log/logger.ts';
import type { ModuleStatus, ReporterModule } from './reporter-module.ts';

/** What a {@link ModuleHost} needs. */
export interface ModuleHostOptions {
  readonly modules: readonly ReporterModule[];
  /** Whether the reporter may act now; checked before every run. */
  readonly isActive: () => boolean;
  readonly logger: Pick<Logger, 'error'>;
  /** @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** Shortest and longest time between two looks at what is due. */
const MIN_CHECK_MS = 50;
const MAX_CHECK_MS = 1_000;

interface Entry {
  readonly module: ReporterModule;
  nextDue: number;
  running: Promise<void> | undefined;
}

/** The modules of one reporter. */
export class ModuleHost {
  readonly #options: ModuleHostOptions;
  readonly #entries: Entry[];
  readonly #now: () => number;
  #active = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ModuleHostOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#entries = options.modules.map((module) => ({ module, nextDue: 0, running: undefined }));
  }

  /** Whether the modules are started. */
  get active(): boolean {
    return this.#active;
  }

  /** Starts every module and runs each at once; `schedule` also sets the timer. */
  async activate(schedule = true): Promise<void> {
    if (this.#active) return;
    this.#active = true;
    for (const entry of this.#entries) {
      await this.#guard(entry.module, 'start', () => entry.module.start?.());
      entry.nextDue = this.#now();
    }
    if (schedule && this.#entries.length > 0) {
      const every = Math.min(...this.#entries.map((entry) => entry.module.intervalMs));
      const checkMs = Math.min(MAX_CHECK_MS, Math.max(MIN_CHECK_MS, every));
      this.#timer = setInterval(() => void this.runDue(this.#now()), checkMs);
      this.#timer.unref();
    }
    await this.runDue(this.#now());
  }

  /** Runs the modules whose time has come; resolves once those runs are over. */
  async runDue(now: number): Promise<void> {
    if (!this.#active || !this.#options.isActive()) return;
    const started = this.#entries
      .filter((entry) => entry.running === undefined && entry.nextDue <= now)
      .map((entry) => {
        entry.nextDue = now + entry.module.intervalMs;
        entry.running = this.#guard(entry.module, 'tick', () => entry.module.tick(now)).finally(
          () => {
            entry.running = undefined;
          },
        );
        return entry.running;
      });
    await Promise.all(started);
  }

  /** Stops the timer, waits for the runs in progress, and stops every module. */
  async deactivate(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#entries.flatMap((entry) => entry.running ?? []));
    for (const entry of this.#entries) {
      await this.#guard(entry.module, 'stop', () => entry.module.stop?.());
    }
  }

  /** Every module's status, by name. */
  status(): Readonly<Record<string, ModuleStatus>> {
    return Object.fromEntries(this.#entries.map(({ module }) => [module.name, module.status()]));
  }

  async #guard(
    module: ReporterModule,
    step: string,
    run: () => Promise<void> | undefined,
  ): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#options.logger.error(
        { err: error, module: module.name, step },
        'reporter module failed',
      );
    }
  }
}
