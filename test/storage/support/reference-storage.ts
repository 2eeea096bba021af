/**
 * A naive model of what storage must hold, built on the carbonara reference: plain arrays and
 * maps, Gnocchi's rules written out (drop rule of the raw buffer, recompute from
 * `max(first buffered, first new)`, newer aggregates replacing older ones, retention relative to
 * the newest bucket), so that storage is compared with an independent implementation.
 */
import type { ArchivePolicy } from '../../../src/archive-policy/index.ts';
import { floorTo, referenceAggregate, type Point } from '../../carbonara/reference.ts';

/** The model of one metric's storage. */
export class ReferenceStorage {
  readonly #policy: ArchivePolicy;
  #raw: Point[] = [];
  #newest: number | undefined;
  readonly #aggregates = new Map<string, Map<number, number>>();

  constructor(policy: ArchivePolicy) {
    this.#policy = policy;
  }

  get #block(): number {
    return Math.max(...this.#policy.definition.map((item) => item.granularity));
  }

  get #backWindow(): number {
    const rate = this.#policy.aggregationMethods.some((m) => m.startsWith('rate:'));
    return this.#policy.backWindow + (rate ? 1 : 0);
  }

  /** Folds sorted, unique measures in; returns how many were accepted and dropped. */
  add(measures: readonly Point[]): { accepted: number; dropped: number } {
    const first = measures[0];
    if (first === undefined) return { accepted: 0, dropped: 0 };
    const last = this.#raw.at(-1);
    const cutoff =
      last === undefined
        ? -Infinity
        : floorTo(last.ts, this.#block) - this.#backWindow * this.#block;
    const accepted = measures.filter((p) => p.ts >= cutoff);
    const dropped = measures.length - accepted.length;
    if (accepted.length === 0) return { accepted: 0, dropped };
    const byTs = new Map(this.#raw.map((p) => [p.ts, p.value]));
    for (const p of accepted) byTs.set(p.ts, p.value);
    const merged = [...byTs].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value }));
    const from = Math.max(merged[0]!.ts, first.ts);
    for (const { granularity } of this.#policy.definition) {
      for (const method of this.#policy.aggregationMethods) {
        const start = floorTo(from, granularity);
        const stored = this.#series(granularity, method);
        for (const p of referenceAggregate(merged, granularity, method, start))
          stored.set(p.ts, p.value);
      }
    }
    this.#newest = merged.at(-1)!.ts;
    const keepFrom = floorTo(this.#newest, this.#block) - this.#backWindow * this.#block;
    this.#raw = merged.filter((p) => p.ts >= keepFrom);
    return { accepted: accepted.length, dropped };
  }

  /** The oldest timestamp kept at a granularity, if any point has expired. */
  cutoff(granularity: number): number | undefined {
    const item = this.#policy.definition.find((i) => i.granularity === granularity);
    if (item?.timespan == null || this.#newest === undefined) return undefined;
    return floorTo(this.#newest, granularity) - item.timespan + 1;
  }

  /** What a full read of one granularity and method must return. */
  expected(granularity: number, method: string): Point[] {
    const cutoff = this.cutoff(granularity) ?? -Infinity;
    return [...this.#series(granularity, method)]
      .filter(([ts]) => ts >= cutoff)
      .sort((a, b) => a[0] - b[0])
      .map(([ts, value]) => ({ ts, value }));
  }

  #series(granularity: number, method: string): Map<number, number> {
    const key = `${granularity}|${method}`;
    let series = this.#aggregates.get(key);
    if (series === undefined) {
      series = new Map();
      this.#aggregates.set(key, series);
    }
    return series;
  }
}
