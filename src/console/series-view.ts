/**
 * What is charted, shown as a chart or as a table, with a CSV download of it: the series page,
 * the aggregates box and the hosts page show their series through this.
 */
import { lineChart, seriesColor, type Chart } from './chart.ts';
import { h, notice, replace, table } from './dom.ts';
import { alignSeries, seriesCsv, type Series } from './series-data.ts';
import { localTime, utcTime } from './time.ts';

/** A series view. */
export interface SeriesView {
  readonly element: HTMLElement;
  show(series: readonly Series[]): void;
  message(kind: 'error' | 'info', text: string): void;
  dispose(): void;
}

/** Rows shown in the table view at most; the CSV has them all. */
const TABLE_ROWS = 1_000;

export function seriesView(name: string): SeriesView {
  let series: readonly Series[] = [];
  let chart: Chart | undefined;
  let asTable = false;
  const body = h('div', 'series-body');
  const tableToggle = h(
    'button',
    {
      attrs: { type: 'button' },
      on: {
        click: () => {
          toggle();
        },
      },
    },
    'Table',
  );
  const download = h(
    'button',
    {
      attrs: { type: 'button', disabled: true },
      on: {
        click: () => {
          saveCsv();
        },
      },
    },
    'CSV',
  );

  const draw = (): void => {
    chart?.destroy();
    chart = undefined;
    replace(body);
    if (series.length === 0) return;
    if (series.every((one) => one.points.length === 0)) {
      replace(body, notice('info', 'No measures in this range.'));
      return;
    }
    if (asTable) {
      replace(body, seriesTable(series));
      return;
    }
    const holder = h('div', 'chart');
    replace(body, holder);
    chart = lineChart(holder, series);
    // NOTE: for the console benchmark, which reads when the first chart was drawn.
    performance.mark(`orzo:chart:${name}`);
  };
  const toggle = (): void => {
    asTable = !asTable;
    tableToggle.textContent = asTable ? 'Chart' : 'Table';
    draw();
  };
  const saveCsv = (): void => {
    const link = h('a', {
      attrs: {
        href: URL.createObjectURL(new Blob([seriesCsv(series)], { type: 'text/csv' })),
        download: `${name}.csv`,
      },
    });
    link.click();
    setTimeout(() => {
      URL.revokeObjectURL(link.href);
    }, 10_000);
  };

  return {
    element: h(
      'section',
      { class: 'series-view', attrs: { 'data-view': name } },
      h('div', 'toolbar', tableToggle, download),
      body,
    ),
    show(next) {
      series = next;
      download.disabled = next.length === 0;
      draw();
    },
    message(kind, text) {
      chart?.destroy();
      chart = undefined;
      replace(body, notice(kind, text));
    },
    dispose() {
      chart?.destroy();
    },
  };
}

/** The newest rows first, times local with UTC on hover. */
function seriesTable(series: readonly Series[]): HTMLElement {
  const { times, columns } = alignSeries(series);
  const rows = [];
  for (let row = times.length - 1; row >= 0 && rows.length < TABLE_ROWS; row--) {
    const time = new Date(times[row] ?? 0);
    rows.push([
      h('time', { attrs: { title: utcTime(time), datetime: time.toISOString() } }, localTime(time)),
      ...columns.map((column) => {
        const value = column[row];
        return value === null || value === undefined ? '' : String(value);
      }),
    ]);
  }
  const grid = table(['time', ...series.map((one) => one.label)], rows);
  series.forEach((_one, index) => {
    grid.querySelectorAll('th')[index + 1]?.style.setProperty('color', seriesColor(index));
  });
  return h(
    'div',
    'table-wrap',
    grid,
    times.length > TABLE_ROWS &&
      h('p', 'hint', `The newest ${TABLE_ROWS} of ${times.length} rows; the CSV has them all.`),
  );
}
