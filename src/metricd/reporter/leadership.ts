/**
 * Whether this reporter acts for the deployment: hands out blocks, runs the modules, publishes
 * the status. Exactly one reporter is active under Redis coordination (`cluster/`, an elected
 * lease); on one machine every reporter is ({@link ALWAYS_ACTIVE}).
 */

/** A reporter's standing. */
export interface Leadership {
  /** Joins whatever decides; `onChange` is told of every change of role afterwards. */
  start(onChange: () => void): Promise<void>;
  /** Whether this reporter may act now; checked before every act. */
  isActive(): boolean;
  /** Gives the role up (so that a standby takes over) and leaves. */
  stop(): Promise<void>;
}

/** The standing of a reporter that answers only for its own machine's workers. */
export const ALWAYS_ACTIVE: Leadership = Object.freeze({
  start: () => Promise.resolve(),
  isActive: () => true,
  stop: () => Promise.resolve(),
});
