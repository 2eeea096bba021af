/**
 * The data behind a chart, without the DOM: the API's measures as points, an aggregates answer
 * (whatever its nesting: per metric, per resource, aggregated, grouped) as labelled series, the
 * series on one time axis, and that table as CSV.
 */

/** One series: points as [time in ms, value]. */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [time: number, value: number])[];
}

/** Series on one axis: the union of their times, null where a series has no point. */
export interface AlignedTable {
  readonly times: readonly number[];
  readonly columns: readonly (readonly (number | null)[])[];
}

/** A measure as the API sends it: `[time, granularity, value]`. */
type Measure = readonly [string, number, number];

function isMeasure(value: unknown): value is Measure {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'number' &&
    typeof value[2] === 'number'
  );
}

/** Measures as points; the granularity is the picker's, so it is dropped. */
export function measurePoints(measures: readonly Measure[]): Series['points'] {
  return measures.map(([time, , value]) => [Date.parse(time), value] as const);
}

/**
 * Every list of measures in an aggregates answer, labelled by the keys on its way (`<metric>/mean`,
 * `<resource>/<metric>/mean`, `aggregated`), with the group's attributes first when grouped.
 */
export function aggregatesSeries(answer: unknown): Series[] {
  const found: Series[] = [];
  const walk = (value: unknown, path: readonly string[]): void => {
    if (Array.isArray(value)) {
      if (value.length === 0 || value.every(isMeasure)) {
        found.push({
          label: path.join('/') || 'result',
          points: measurePoints(value as Measure[]),
        });
        return;
      }
      for (const item of value) walk(item, path);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if ('group' in record && 'measures' in record) {
      const group = Object.entries(record.group as Record<string, unknown>)
        .map(([name, attribute]) => `${name}=${String(attribute)}`)
        .join(',');
      walk(record.measures, [...path, group]);
      return;
    }
    for (const [key, child] of Object.entries(record)) {
      if (key === 'references') continue;
      walk(child, key === 'measures' ? path : [...path, key]);
    }
  };
  walk(answer, []);
  return found;
}

/** The series on one time axis. */
export function alignSeries(series: readonly Series[]): AlignedTable {
  const times = [...new Set(series.flatMap((one) => one.points.map(([time]) => time)))].sort(
    (a, b) => a - b,
  );
  const position = new Map(times.map((time, index) => [time, index]));
  const columns = series.map((one) => {
    const values = new Array<number | null>(times.length).fill(null);
    for (const [time, value] of one.points) {
      const index = position.get(time);
      if (index !== undefined) values[index] = value;
    }
    return values;
  });
  return { times, columns };
}

/** RFC 4180 CSV of aligned series: a UTC ISO time column, then one column per series. */
export function seriesCsv(series: readonly Series[]): string {
  const { times, columns } = alignSeries(series);
  const quote = (text: string): string =>
    /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  const lines = [['time', ...series.map((one) => one.label)].map(quote).join(',')];
  times.forEach((time, row) => {
    const cells = columns.map((column) => {
      const value = column[row];
      return value === null || value === undefined ? '' : String(value);
    });
    lines.push([new Date(time).toISOString(), ...cells].join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
