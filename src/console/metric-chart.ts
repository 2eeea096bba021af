/**
 * Metrics charted with pickers: the pickers offer what the metrics' archive policies hold, and
 * every change of pickers or metrics reads the measures again; a read overtaken by a newer one is
 * dropped, so a slow answer never replaces a newer chart.
 */
import type { Api } from './api.ts';
import { h } from './dom.ts';
import { choiceQuery, measurePickers, type MeasurePickers } from './measure-pickers.ts';
import { granularitySeconds, readSeries, type MetricJson } from './metric-read.ts';
import { seriesView } from './series-view.ts';

export interface MetricChart {
  readonly element: HTMLElement;
  readonly pickers: MeasurePickers;
  /** Keeps a metric's details read elsewhere, so that charting it need not read them again. */
  remember(metric: MetricJson): void;
  /** Charts these metrics (id → label); an empty map shows `hint`. */
  show(metrics: ReadonlyMap<string, string>): Promise<void>;
  dispose(): void;
}

/**
 * @param linked - a link's picker arguments (see `measurePickers`)
 * @param onRead - called with the pickers' link arguments at each read, to keep the address
 */
export function metricChart(
  api: Api,
  name: string,
  hint: string,
  linked?: URLSearchParams,
  onRead: (pickerParams: [string, string][]) => void = () => undefined,
): MetricChart {
  const policies = new Map<string, MetricJson>();
  const view = seriesView(name);
  let charted: ReadonlyMap<string, string> = new Map();
  let generation = 0;

  const describe = async (id: string): Promise<MetricJson> => {
    let metric = policies.get(id);
    if (metric === undefined) {
      metric = await api.get<MetricJson>(`v1/metric/${encodeURIComponent(id)}`);
      policies.set(id, metric);
    }
    return metric;
  };

  const redraw = async (): Promise<void> => {
    const mine = ++generation;
    onRead(charted.size === 0 ? [] : pickers.linkParams());
    if (charted.size === 0) {
      view.message('info', hint);
      return;
    }
    try {
      const described = await Promise.all([...charted.keys()].map(describe));
      if (mine !== generation) return;
      pickers.offer(
        [
          ...new Set(described.flatMap((metric) => metric.archive_policy.aggregation_methods)),
        ].sort(),
        described.flatMap((metric) =>
          metric.archive_policy.definition.map((item) => granularitySeconds(item.granularity)),
        ),
      );
      onRead(pickers.linkParams());
      const choice = pickers.choice();
      const series = await readSeries(api, charted, {
        ...choiceQuery(choice, new Date()),
        aggregation: choice.aggregation,
      });
      if (mine === generation) view.show(series);
    } catch (error) {
      if (mine === generation) view.message('error', (error as Error).message);
    }
  };
  const pickers = measurePickers(() => void redraw(), linked);

  return {
    element: h('div', 'metric-chart', pickers.element, view.element),
    pickers,
    remember(metric) {
      policies.set(metric.id, metric);
    },
    show(metrics) {
      charted = new Map(metrics);
      return redraw();
    },
    dispose() {
      generation++;
      view.dispose();
    },
  };
}
