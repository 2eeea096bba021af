/**
 * The leadership of a reporter under Redis coordination: the reporter election (a Redis lease
 * with beacons, as Ceph's mgr), of which exactly one reporter holds the active role.
 */
import type { ReporterElection } from '../../coordination/index.ts';
import type { Leadership } from '../reporter/leadership.ts';

/** A reporter's standing in the election. */
export class ElectionLeadership implements Leadership {
  readonly #election: Pick<ReporterElection, 'start' | 'stop' | 'isActive'>;
  #listener: (() => void) | undefined;

  constructor(election: Pick<ReporterElection, 'start' | 'stop' | 'isActive'>) {
    this.#election = election;
  }

  /** To be called by the election on every change of role. */
  notify(): void {
    this.#listener?.();
  }

  async start(onChange: () => void): Promise<void> {
    this.#listener = onChange;
    await this.#election.start();
  }

  isActive(): boolean {
    return this.#election.isActive();
  }

  async stop(): Promise<void> {
    await this.#election.stop();
  }
}
