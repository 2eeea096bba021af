/**
 * A Prometheus histogram of durations by one label, counted in place and written out in the text
 * exposition format: an observation finds its bucket and adds to three numbers. prom-client's
 * histogram checks and hashes the labels of every observation, which cost more than the rest of
 * tracking an op; this one is fed once per finished op, by every request.
 */

/** The counts of one label value. */
interface Counts {
  /** Observations per bucket, not cumulated: index `i` counts those in `(bound[i-1], bound[i]]`. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** What a {@link DurationHistogram} is called and how it cuts. */
export interface DurationHistogramOptions {
  readonly name: string;
  readonly help: string;
  /** The one label, e.g. `kind`. */
  readonly label: string;
  /** Upper bounds in seconds, ascending; `+Inf` is implied. */
  readonly buckets: readonly number[];
}

/** Durations by label value, written out as a Prometheus histogram. */
export class DurationHistogram {
  readonly #options: DurationHistogramOptions;
  readonly #series = new Map<string, Counts>();

  constructor(options: DurationHistogramOptions) {
    this.#options = options;
  }

  observe(labelValue: string, seconds: number): void {
    const bounds = this.#options.buckets;
    let counts = this.#series.get(labelValue);
    if (counts === undefined) {
      counts = { buckets: new Float64Array(bounds.length), sum: 0, count: 0 };
      this.#series.set(labelValue, counts);
    }
    let bucket = 0;
    while (bucket < bounds.length && seconds > (bounds[bucket] ?? Infinity)) bucket++;
    if (bucket < bounds.length) counts.buckets[bucket] = (counts.buckets[bucket] ?? 0) + 1;
    counts.sum += seconds;
    counts.count += 1;
  }

  /** The histogram in the text exposition format (version 0.0.4), ending with a newline. */
  exposition(): string {
    const { name, help, label, buckets } = this.#options;
    const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
    for (const [value, counts] of this.#series) {
      const labelled = `${label}="${escapeLabelValue(value)}"`;
      let cumulated = 0;
      buckets.forEach((bound, index) => {
        cumulated += counts.buckets[index] ?? 0;
        lines.push(`${name}_bucket{le="${String(bound)}",${labelled}} ${String(cumulated)}`);
      });
      lines.push(`${name}_bucket{le="+Inf",${labelled}} ${String(counts.count)}`);
      lines.push(`${name}_sum{${labelled}} ${String(counts.sum)}`);
      lines.push(`${name}_count{${labelled}} ${String(counts.count)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function escapeLabelValue(text: string): string {
  return escapeHelp(text).replaceAll('"', '\\"');
}
