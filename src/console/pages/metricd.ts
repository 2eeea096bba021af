/**
 * metricd: the backlog over time (sampled from `/v1/status` while the page is open), the workers
 * with their figures, the reporter map (the active reporter, standbys, epoch) and the queue.
 * It refreshes by itself.
 */
import { lineChart, type Chart } from '../chart.ts';
import { h, notice, replace, table } from '../dom.ts';
import type { Series } from '../series-data.ts';
import { localTime, utcTime } from '../time.ts';
import type { PageDefinition } from './page.ts';
import { workerState } from '../worker-state.ts';

type Figures = Readonly<Record<string, unknown>>;

interface StatusJson {
  readonly storage: { readonly summary: { readonly metrics: number; readonly measures: number } };
  readonly metricd: {
    readonly processors: readonly string[] | null;
    readonly statistics: Readonly<Record<string, Figures>>;
    readonly reporter?: Figures;
    readonly reporters?: {
      readonly epoch: number;
      readonly active: Figures | null;
      readonly standbys: readonly Figures[];
    };
    readonly queue?: Figures;
  };
}

const REFRESH_MS = 5_000;
/** The backlog chart shows at least this much time. */
const SHOWN_MS = 300_000;
/** Backlog samples kept: an hour at the refresh rate. */
const KEPT = 720;

const WORKER_FIGURES = [
  'pid',
  'blocks processed',
  'processed metrics',
  'processed measures',
  'measures per second',
  'locked metrics skipped',
  'dropped measures',
  'errors',
  'restarts',
] as const;

function text(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'string') {
    const time = /^\d{4}-\d\d-\d\dT/.test(value) ? new Date(value) : undefined;
    return time && !Number.isNaN(time.getTime()) ? localTime(time) : value;
  }
  return JSON.stringify(value);
}

function figuresList(figures: Figures, names?: readonly string[]): HTMLElement {
  const entries = (names ?? Object.keys(figures)).filter(
    (name) => name in figures && typeof figures[name] !== 'object',
  );
  return h(
    'dl',
    'figures',
    ...entries.flatMap((name) => {
      const value = figures[name];
      const title =
        typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)
          ? utcTime(new Date(value))
          : undefined;
      return [h('dt', null, name), h('dd', { attrs: { title } }, text(value))];
    }),
  );
}

export const metricdPage: PageDefinition = {
  path: 'metricd',
  title: 'metricd',
  rule: 'get status',
  render({ api }) {
    const measures: [number, number][] = [];
    const metrics: [number, number][] = [];
    const chartHolder = h('div', 'chart');
    const summary = h('div', 'summary');
    const workers = h('div', 'workers');
    const reporters = h('div', 'reporters');
    let chart: Chart | undefined;
    const refresh = async (): Promise<void> => {
      try {
        const status = await api.get<StatusJson>('v1/status', { details: false });
        const now = Date.now();
        measures.push([now, status.storage.summary.measures]);
        metrics.push([now, status.storage.summary.metrics]);
        if (measures.length > KEPT) measures.shift();
        if (metrics.length > KEPT) metrics.shift();
        const series: Series[] = [
          { label: 'measures waiting', points: measures },
          { label: 'metrics waiting', points: metrics },
        ];
        chart?.destroy();
        const first = measures[0]?.[0] ?? now;
        chart = lineChart(chartHolder, series, 220, [Math.min(first, now - SHOWN_MS), now]);
        const { metricd } = status;
        replace(
          summary,
          figuresList({
            'measures waiting': status.storage.summary.measures,
            'metrics waiting': status.storage.summary.metrics,
            processors: metricd.processors === null ? 'none alive' : metricd.processors.length,
          }),
        );
        const names = Object.keys(metricd.statistics).sort();
        replace(
          workers,
          names.length === 0
            ? notice('info', 'No metricd has reported.')
            : table(
                ['worker', 'state', ...WORKER_FIGURES],
                names.map((name) => [
                  name,
                  workerState(metricd.statistics[name]),
                  ...WORKER_FIGURES.map((figure) => text(metricd.statistics[name]?.[figure])),
                ]),
              ),
        );
        replace(
          reporters,
          metricd.reporter && h('h3', null, 'Reporter'),
          metricd.reporter &&
            figuresList(metricd.reporter, [
              'name',
              'host',
              'pid',
              'alive',
              'started_at',
              'updated_at',
              'tick_seconds',
              'block_size',
              'backlog',
            ]),
          metricd.reporters && h('h3', null, `Reporter map, epoch ${metricd.reporters.epoch}`),
          metricd.reporters &&
            table(
              ['role', 'name', 'host', 'pid', 'last beacon'],
              [
                ...(metricd.reporters.active === null
                  ? []
                  : [['active', metricd.reporters.active] as const]),
                ...metricd.reporters.standbys.map((standby) => ['standby', standby] as const),
              ].map(([role, one]) => [
                role,
                text(one.name),
                text(one.host),
                text(one.pid),
                text(one.last_beacon),
              ]),
            ),
          metricd.queue && h('h3', null, 'Queue'),
          metricd.queue && figuresList(metricd.queue),
        );
      } catch (error) {
        replace(summary, notice('error', (error as Error).message));
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return {
      element: h(
        'div',
        'metricd-page',
        summary,
        h('h2', null, 'Backlog'),
        h('p', 'hint', 'Sampled every 5 s while this page is open.'),
        chartHolder,
        h('h2', null, 'Workers'),
        workers,
        reporters,
      ),
      dispose() {
        clearInterval(timer);
        chart?.destroy();
      },
    };
  },
};
