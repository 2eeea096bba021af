/**
 * A periodic job that must run once per deployment, hosted by the active reporter (as Ceph's mgr
 * hosts its modules): the janitor today; the host-agent poller and the sub-health detector plug
 * in the same way, without touching the reporter. A standby that takes over starts them.
 */

/** A module's JSON for the status, under `reporter.modules.<name>`. */
export type ModuleStatus = Readonly<Record<string, unknown>>;

/** One module. */
export interface ReporterModule {
  /** Its key in the status, e.g. `janitor`. */
  readonly name: string;
  /** How often `tick` runs while the reporter is active. */
  readonly intervalMs: number;
  /** The reporter became active (or started active). */
  start?(): Promise<void>;
  /** One period's work, at `now` (ms since the epoch); a failure is logged and tried again. */
  tick(now: number): Promise<void>;
  /** The reporter stopped being active, or stops. */
  stop?(): Promise<void>;
  /** What it shows in the status. */
  status(): ModuleStatus;
}
