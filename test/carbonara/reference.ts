/**
 * A naive reference for carbonara, written as plainly as possible (maps, plain arrays, no typed
 * arrays, no shared helpers from src/) so that property tests compare two independent
 * implementations of Gnocchi's rules.
 */

export interface Point {
  ts: number;
  value: number;
}

/** numpy's value order: ascending, NaN last. */
function numpyOrder(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b === 0 ? 0 : a < b ? -1 : 1;
}

/**
 * `numpyOrder` with −0 before +0: numpy leaves the order of equal values to its sort, and a typed
 * array's sort puts −0 first, so a median or percentile of both gives Orzo's sign of zero (which
 * JSON writes as 0 either way).
 */
function rankOrder(a: number, b: number): number {
  return numpyOrder(a, b) || (Object.is(b, -0) ? 1 : 0) - (Object.is(a, -0) ? 1 : 0);
}

/** Sorts by (timestamp, value) and keeps the first point of each timestamp. */
export function referenceSortMeasures(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.ts - b.ts || numpyOrder(a.value, b.value));
  const out: Point[] = [];
  for (const p of sorted) {
    if (out.length > 0 && out[out.length - 1]!.ts === p.ts) continue;
    out.push({ ts: p.ts, value: p.value });
  }
  return out;
}

export function floorTo(ts: number, granularity: number): number {
  return Math.floor(ts / granularity) * granularity;
}

function buckets(points: Point[], granularity: number): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const p of points) {
    const key = floorTo(p.ts, granularity);
    const list = map.get(key) ?? [];
    list.push(p.value);
    map.set(key, list);
  }
  return map;
}

function plainSum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function methodOf(name: string): (values: number[]) => number | undefined {
  const pct = /^(\d+)pct$/.exec(name);
  if (pct) {
    const q = Number(pct[1]) / 100;
    return (values) => {
      const s = [...values].sort(rankOrder);
      const pos = (s.length - 1) * q;
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      return lo === hi ? s[lo]! : s[lo]! * (hi - pos) + s[hi]! * (pos - lo);
    };
  }
  switch (name) {
    case 'mean':
      return (values) => plainSum(values) / values.length;
    case 'sum':
      return plainSum;
    case 'count':
      return (values) => values.length;
    case 'first':
      return (values) => values[0];
    case 'last':
      return (values) => values[values.length - 1];
    case 'min':
      return (values) => {
        const real = values.filter((v) => !Number.isNaN(v));
        return real.length === 0 ? NaN : real.reduce((a, b) => (b < a ? b : a));
      };
    case 'max':
      return (values) =>
        values.some((v) => Number.isNaN(v)) ? NaN : values.reduce((a, b) => (b > a ? b : a));
    case 'median':
      return (values) => {
        const s = [...values].sort(rankOrder);
        return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
      };
    case 'std':
      return (values) => {
        if (values.length < 2) return undefined;
        const mean = plainSum(values) / values.length;
        return Math.sqrt(
          plainSum(values.map((v) => (v - mean) * (v - mean))) / (values.length - 1),
        );
      };
    default:
      throw new Error(`reference has no method ${name}`);
  }
}

/**
 * Aggregates sorted unique points: buckets from `start` on (all when undefined). Rate methods take
 * differences from the points of one granularity before `start`, as Gnocchi does.
 */
export function referenceAggregate(
  points: Point[],
  granularity: number,
  method: string,
  start?: number,
): Point[] {
  let source = points;
  let name = method;
  if (method.startsWith('rate:')) {
    name = method.slice(5);
    const base = start === undefined ? points : points.filter((p) => p.ts >= start - granularity);
    source = base.slice(1).map((p, i) => ({ ts: p.ts, value: p.value - base[i]!.value }));
  }
  const kept = start === undefined ? source : source.filter((p) => p.ts >= start);
  const fn = methodOf(name);
  const out: Point[] = [];
  for (const [ts, values] of [...buckets(kept, granularity)].sort((a, b) => a[0] - b[0])) {
    const value = fn(values);
    if (value !== undefined) out.push({ ts, value });
  }
  return out;
}

/** Points of a series as plain objects. */
export function toPoints(series: {
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}): Point[] {
  return Array.from(series.timestamps, (ts, i) => ({ ts, value: series.values[i]! }));
}
