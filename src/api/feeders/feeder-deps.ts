/** What the listeners (statsd, Graphite) are given, and what they give back. */
import type { Registry } from 'prom-client';

import type { Indexer } from '../../indexer/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { OpTracker } from '../../optracker/index.ts';

/**
 * The socket's receive buffer: bursts wait there while a flush holds the event loop. The kernel
 * caps it at `net.core.rmem_max` (about 208 KiB unless raised); raise that to keep more.
 */
export const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/** What a listener works with. */
export interface FeederDeps {
  readonly indexer: Indexer;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly tracker: OpTracker;
  readonly logger: Logger;
  /** Where its figures are registered (the API's under `orzo serve`). */
  readonly registry: Registry;
  /** Now, in microseconds. */
  readonly now?: () => number;
}

/** A running listener. */
export interface RunningFeeder {
  /** The bound address (the port is the one the system chose for port 0). */
  readonly address: { readonly host: string; readonly port: number };
  /** Writes what is gathered now. */
  flush(): Promise<void>;
  /** Stops listening, then flushes what was gathered. */
  close(): Promise<void>;
}
