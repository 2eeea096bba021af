/**
 * The pickers of a measures read: aggregation, granularity, time range (presets or custom
 * bounds in the browser's zone) and resample; they become the query arguments of
 * `GET /v1/metric/<id>/measures` and `POST /v1/aggregates`.
 */
import { field, h, select } from './dom.ts';
import {
  parseLocalInput,
  RANGE_PRESETS,
  rangeQuery,
  shortDuration,
  type TimeRange,
} from './time.ts';

/** The chosen reading. */
export interface MeasureChoice {
  readonly aggregation: string;
  /** Seconds; undefined lets the API answer every granularity. */
  readonly granularity: number | undefined;
  readonly range: TimeRange;
  /** Seconds; undefined for none. */
  readonly resample: number | undefined;
}

/** The pickers, filled with what the charted metrics' policies offer. */
export interface MeasurePickers {
  readonly element: HTMLElement;
  choice(): MeasureChoice;
  /** Offers these aggregations and granularities, keeping the current choice where it still is. */
  offer(aggregations: readonly string[], granularities: readonly number[]): void;
  /** The choice as link arguments, which `measurePickers` reads back. */
  linkParams(): [string, string][];
}

/** The query arguments of a choice. */
export function choiceQuery(
  choice: MeasureChoice,
  now: Date,
): Record<string, string | number | undefined> {
  return {
    ...rangeQuery(choice.range, now),
    granularity: choice.granularity,
    resample: choice.resample,
  };
}

/**
 * @param linked - a link's arguments (`aggregation`, `granularity`, `range` in seconds or
 *   `custom` with `start` and `stop`, `resample`) chosen at first
 */
export function measurePickers(
  onChange: () => void,
  linked: URLSearchParams = new URLSearchParams(),
): MeasurePickers {
  const aggregation = select('aggregation', ['mean'], 'mean');
  const granularity = select('granularity', [['', 'any']]);
  const range = select(
    'range',
    [
      ...RANGE_PRESETS.map(([label, seconds]) => [String(seconds), label] as const),
      ['custom', 'custom…'],
    ],
    '86400',
  );
  const start = h('input', { attrs: { name: 'start', type: 'datetime-local', step: 1 } });
  const stop = h('input', { attrs: { name: 'stop', type: 'datetime-local', step: 1 } });
  const custom = h('span', 'custom-range', field('From', start), field('To', stop));
  const resample = h('input', {
    attrs: { name: 'resample', type: 'number', min: 1, step: 1, placeholder: 'seconds' },
  });
  // NOTE: the options of these two come with the metrics' policies, so a linked choice waits for
  // the first offer.
  const wanted = new Map<string, string>();
  let offered = false;
  for (const name of ['aggregation', 'granularity']) {
    const value = linked.get(name);
    if (value !== null) wanted.set(name, value);
  }
  const linkedRange = linked.get('range');
  if (linkedRange !== null && [...range.options].some((option) => option.value === linkedRange)) {
    range.value = linkedRange;
  }
  const linkedTime = (name: string): string => {
    const time = new Date(linked.get(name) ?? '');
    return Number.isNaN(time.getTime()) ? '' : toLocalInput(time);
  };
  start.value = linkedTime('start');
  stop.value = linkedTime('stop');
  resample.value = linked.get('resample') ?? '';
  custom.hidden = range.value !== 'custom';
  for (const control of [aggregation, granularity, start, stop, resample]) {
    control.addEventListener('change', onChange);
  }
  range.addEventListener('change', () => {
    custom.hidden = range.value !== 'custom';
    if (range.value === 'custom' && start.value === '') {
      start.value = toLocalInput(new Date(Date.now() - 86_400_000));
    }
    onChange();
  });

  const choose = (
    control: HTMLSelectElement,
    options: readonly (readonly [string, string])[],
    fallback: string,
  ) => {
    // NOTE: before the first offer the value is the placeholder's, not a choice to keep.
    const kept = wanted.get(control.name) ?? (offered ? control.value : undefined);
    wanted.delete(control.name);
    control.replaceChildren(
      ...options.map(([value, label]) => h('option', { attrs: { value } }, label)),
    );
    control.value =
      kept !== undefined && options.some(([value]) => value === kept) ? kept : fallback;
  };

  const choice = (): MeasureChoice => {
    const seconds = Number(range.value);
    const startTime = parseLocalInput(start.value) ?? new Date(Date.now() - 86_400_000);
    const resampleSeconds = Number(resample.value);
    return {
      aggregation: aggregation.value,
      granularity: granularity.value === '' ? undefined : Number(granularity.value),
      range:
        range.value === 'custom'
          ? { kind: 'custom', start: startTime, stop: parseLocalInput(stop.value) }
          : { kind: 'preset', seconds },
      resample: resample.value !== '' && resampleSeconds > 0 ? resampleSeconds : undefined,
    };
  };

  return {
    element: h(
      'div',
      'pickers',
      field('Aggregation', aggregation),
      field('Granularity', granularity),
      field('Range', range),
      custom,
      field('Resample', resample),
    ),
    choice,
    linkParams() {
      const chosen = choice();
      const params: [string, string][] = [['aggregation', chosen.aggregation]];
      if (chosen.granularity !== undefined)
        params.push(['granularity', String(chosen.granularity)]);
      if (chosen.range.kind === 'preset') {
        params.push(['range', String(chosen.range.seconds)]);
      } else {
        params.push(['range', 'custom'], ['start', chosen.range.start.toISOString()]);
        if (chosen.range.stop !== undefined) params.push(['stop', chosen.range.stop.toISOString()]);
      }
      if (chosen.resample !== undefined) params.push(['resample', String(chosen.resample)]);
      return params;
    },
    offer(aggregations, granularities) {
      const methods = aggregations.length === 0 ? ['mean'] : aggregations;
      choose(
        aggregation,
        methods.map((method) => [method, method] as const),
        methods.includes('mean') ? 'mean' : (methods[0] ?? 'mean'),
      );
      const sorted = [...new Set(granularities)].sort((a, b) => a - b);
      choose(
        granularity,
        [
          ['', 'any'],
          ...sorted.map((seconds) => [String(seconds), shortDuration(seconds)] as const),
        ],
        sorted[0] === undefined ? '' : String(sorted[0]),
      );
      offered = true;
    },
  };
}

/** A time as a `datetime-local` value, in the browser's zone. */
function toLocalInput(time: Date): string {
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}
