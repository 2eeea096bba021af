/**
 * The listeners' figures on `/metrics`: what arrived, what was malformed, what was stored, and
 * what was lost. One set of counters per registry, labelled by listener, so that statsd and
 * Graphite can share the API's registry under `orzo serve`.
 */
import { Counter, type Registry } from 'prom-client';

/** The counters of one registry. */
interface Counters {
  readonly received: Counter<'feeder' | 'transport'>;
  readonly malformed: Counter<'feeder' | 'transport'>;
  readonly stored: Counter<'feeder'>;
  readonly dropped: Counter<'feeder' | 'reason'>;
  readonly flushFailures: Counter<'feeder'>;
}

const BY_REGISTRY = new WeakMap<Registry, Counters>();

function countersOf(registry: Registry): Counters {
  let counters = BY_REGISTRY.get(registry);
  if (counters !== undefined) return counters;
  const registers = [registry];
  counters = {
    received: new Counter({
      name: 'orzo_feeder_messages_total',
      help: 'Messages (statsd) and lines (Graphite) received and understood, by listener and transport',
      labelNames: ['feeder', 'transport'],
      registers,
    }),
    malformed: new Counter({
      name: 'orzo_feeder_malformed_total',
      help: 'Messages and lines refused as malformed or not mappable, by listener and transport',
      labelNames: ['feeder', 'transport'],
      registers,
    }),
    stored: new Counter({
      name: 'orzo_feeder_measures_stored_total',
      help: 'Measures the listeners stored in incoming',
      labelNames: ['feeder'],
      registers,
    }),
    dropped: new Counter({
      name: 'orzo_feeder_dropped_total',
      help: 'Samples lost by the listeners: over their memory bound, or refused by the engine',
      labelNames: ['feeder', 'reason'],
      registers,
    }),
    flushFailures: new Counter({
      name: 'orzo_feeder_flush_failures_total',
      help: 'Flushes that failed and were kept for the next one',
      labelNames: ['feeder'],
      registers,
    }),
  };
  BY_REGISTRY.set(registry, counters);
  return counters;
}

/** The figures of one listener. */
export class FeederFigures {
  readonly #feeder: string;
  readonly #counters: Counters;

  constructor(registry: Registry, feeder: string) {
    this.#feeder = feeder;
    this.#counters = countersOf(registry);
  }

  received(transport: string, count = 1): void {
    this.#counters.received.inc({ feeder: this.#feeder, transport }, count);
  }

  malformed(transport: string): void {
    this.#counters.malformed.inc({ feeder: this.#feeder, transport });
  }

  stored(count: number): void {
    this.#counters.stored.inc({ feeder: this.#feeder }, count);
  }

  dropped(reason: 'bound' | 'refused', count: number): void {
    if (count > 0) this.#counters.dropped.inc({ feeder: this.#feeder, reason }, count);
  }

  flushFailed(): void {
    this.#counters.flushFailures.inc({ feeder: this.#feeder });
  }
}
