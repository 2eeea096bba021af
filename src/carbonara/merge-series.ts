import { type Series } from './series.ts';

/**
 * Merges two sorted series into one; where both hold a timestamp, `newer` wins (Gnocchi's
 * `combine_timeseries(new, old)`). Used to fold measures into the raw buffer and to merge freshly
 * computed aggregates into a stored split.
 */
export function mergeSeries(older: Series, newer: Series): Series {
  const a = older.timestamps;
  const b = newer.timestamps;
  if (b.length === 0) return older;
  if (a.length === 0) return newer;
  if ((a[a.length - 1] as number) < (b[0] as number)) return concatSeries(older, newer);
  const timestamps = new Float64Array(a.length + b.length);
  const values = new Float64Array(a.length + b.length);
  const av = older.values;
  const bv = newer.values;
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const ta = a[i] as number;
    const tb = b[j] as number;
    if (ta < tb) {
      timestamps[k] = ta;
      values[k++] = av[i++] as number;
    } else {
      // NOTE: on equal timestamps the newer point replaces the older one.
      if (ta === tb) i++;
      timestamps[k] = tb;
      values[k++] = bv[j++] as number;
    }
  }
  for (; i < a.length; i++, k++) {
    timestamps[k] = a[i] as number;
    values[k] = av[i] as number;
  }
  for (; j < b.length; j++, k++) {
    timestamps[k] = b[j] as number;
    values[k] = bv[j] as number;
  }
  return { timestamps: timestamps.subarray(0, k), values: values.subarray(0, k) };
}

/** Appends `tail` to `head`; every timestamp of `tail` must be after those of `head`. */
export function concatSeries(head: Series, tail: Series): Series {
  const n = head.timestamps.length;
  const timestamps = new Float64Array(n + tail.timestamps.length);
  const values = new Float64Array(n + tail.timestamps.length);
  timestamps.set(head.timestamps);
  timestamps.set(tail.timestamps, n);
  values.set(head.values);
  values.set(tail.values, n);
  return { timestamps, values };
}
