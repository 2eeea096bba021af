/**
 * What a statsd daemon gathers between two flushes, and what a flush turns it into: one series
 * per metric, named `name|type` as gnocchi-statsd names them.
 *
 * - counters (`c`): the sum of the interval, each value scaled by 1 / its sample rate; written
 *   once, stamped at the flush, then reset;
 * - gauges (`g`): the last value set in the interval, written stamped at the flush; the value is
 *   kept across flushes so that `+n` and `-n` change it (from 0 for a gauge never set);
 * - timers (`ms`): every sample, stamped when it arrived, so that the archive policy's methods
 *   (mean, max, percentiles) see them all (gnocchi-statsd keeps the last one only);
 * - sets (`s`): the count of distinct members of the interval, stamped at the flush.
 *
 * Timer samples and set members are bounded by `maxSamples` together; beyond, they are dropped
 * and counted, so that a flood cannot exhaust memory. A flush whose write fails is given back
 * with {@link StatsdBuckets.restore} and goes out with the next one.
 */
import type { StatsdMessage } from '../../grammar/statsd-message.ts';
import type { SeriesByName } from '../services/resource-upsert.ts';

interface Series {
  timestamps: number[];
  values: number[];
}

/** The state of one daemon. */
export class StatsdBuckets {
  readonly #maxSamples: number;
  readonly #counters = new Map<string, number>();
  readonly #gauges = new Map<string, number>();
  readonly #gaugesSet = new Set<string>();
  readonly #timers = new Map<string, Series>();
  readonly #sets = new Map<string, Set<string>>();
  #samples = 0;
  #restored = new Map<string, Series>();
  #dropped = 0;

  constructor(options: { readonly maxSamples: number }) {
    this.#maxSamples = options.maxSamples;
  }

  /** Samples dropped since the daemon started, the bound being reached. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Folds one message in; `nowUs` stamps timer samples. */
  add(message: StatsdMessage, nowUs: number): void {
    const { name } = message;
    switch (message.type) {
      case 'c':
        this.#counters.set(name, (this.#counters.get(name) ?? 0) + message.value / message.rate);
        return;
      case 'g': {
        const base = message.delta ? (this.#gauges.get(name) ?? 0) : 0;
        this.#gauges.set(name, base + message.value);
        this.#gaugesSet.add(name);
        return;
      }
      case 'ms': {
        if (!this.#takeSample()) return;
        let series = this.#timers.get(name);
        if (series === undefined) {
          series = { timestamps: [], values: [] };
          this.#timers.set(name, series);
        }
        // NOTE: samples of one instant stay distinct measures: a later one is moved 1 µs on.
        const last = series.timestamps.at(-1);
        series.timestamps.push(last !== undefined && nowUs <= last ? last + 1 : nowUs);
        series.values.push(message.value);
        return;
      }
      case 's': {
        let members = this.#sets.get(name);
        if (members === undefined) {
          members = new Set();
          this.#sets.set(name, members);
        }
        if (members.has(message.member) || !this.#takeSample()) return;
        members.add(message.member);
        return;
      }
    }
  }

  /** The series of the interval, stamped `nowUs`; the interval's state is reset. */
  drain(nowUs: number): SeriesByName {
    const out = this.#restored;
    this.#restored = new Map();
    const put = (name: string, timestamps: number[], values: number[]): void => {
      const earlier = out.get(name);
      if (earlier === undefined) out.set(name, { timestamps, values });
      else out.set(name, merged(earlier, { timestamps, values }));
    };
    for (const [name, sum] of this.#counters) put(`${name}|c`, [nowUs], [sum]);
    for (const name of this.#gaugesSet) put(`${name}|g`, [nowUs], [this.#gauges.get(name) ?? 0]);
    for (const [name, series] of this.#timers) put(`${name}|ms`, series.timestamps, series.values);
    for (const [name, members] of this.#sets) put(`${name}|s`, [nowUs], [members.size]);
    this.#counters.clear();
    this.#gaugesSet.clear();
    this.#timers.clear();
    this.#sets.clear();
    this.#samples = 0;
    return out;
  }

  /** Gives back a drained flush that could not be written, within the sample bound. */
  restore(series: SeriesByName): void {
    for (const [name, { timestamps, values }] of series) {
      if (this.#samples + values.length > this.#maxSamples) {
        this.#dropped += values.length;
        continue;
      }
      this.#samples += values.length;
      const earlier = this.#restored.get(name);
      const given = { timestamps: [...timestamps], values: [...values] };
      this.#restored.set(name, earlier === undefined ? given : merged(earlier, given));
    }
  }

  #takeSample(): boolean {
    if (this.#samples >= this.#maxSamples) {
      this.#dropped++;
      return false;
    }
    this.#samples++;
    return true;
  }
}

function merged(first: Series, second: Series): Series {
  return {
    timestamps: [...first.timestamps, ...second.timestamps],
    values: [...first.values, ...second.values],
  };
}
