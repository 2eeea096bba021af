/**
 * Charts, drawn by uPlot: a canvas library of ~50 kB that draws 10,000s of points per series in a
 * few milliseconds, where SVG charting libraries build a DOM node per point. Times are in the
 * browser's zone; the hover legend adds the same instant in UTC.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { alignSeries, type Series } from './series-data.ts';
import { localTime, utcTime } from './time.ts';

const COLORS = [
  '#2f6fdf',
  '#d9480f',
  '#2b8a3e',
  '#862e9c',
  '#c92a2a',
  '#0b7285',
  '#e67700',
  '#5c940d',
];

/** A series' colour by position, the same in the chart and its table. */
export function seriesColor(index: number): string {
  return COLORS[index % COLORS.length] ?? '#2f6fdf';
}

function plotData(series: readonly Series[]): uPlot.AlignedData {
  const { times, columns } = alignSeries(series);
  return [times.map((time) => time / 1000), ...columns.map((column) => [...column])];
}

/** uPlot's bar path builder (its typings make every builder optional). */
const BARS = uPlot.paths.bars;

/** The x-axis legend value: local time, then UTC. */
function timeLegend(_chart: uPlot, seconds: number | null): string {
  if (seconds === null) return '—';
  const time = new Date(seconds * 1000);
  return `${localTime(time)} (${utcTime(time)})`;
}

/** A drawn chart, resized with its container. */
export interface Chart {
  readonly plot: uPlot;
  destroy(): void;
}

function sized(container: HTMLElement, build: (width: number) => uPlot): Chart {
  const plot = build(Math.max(container.clientWidth, 320));
  const observer = new ResizeObserver(() => {
    plot.setSize({ width: Math.max(container.clientWidth, 320), height: plot.height });
  });
  observer.observe(container);
  return {
    plot,
    destroy: () => {
      observer.disconnect();
      plot.destroy();
    },
  };
}

/**
 * A line chart of series over time; `span` (ms) fixes the time axis, which otherwise fits the
 * points (a lone point would stretch it over years).
 */
export function lineChart(
  container: HTMLElement,
  series: readonly Series[],
  height = 320,
  span?: readonly [start: number, stop: number],
): Chart {
  return sized(
    container,
    (width) =>
      new uPlot(
        {
          width,
          height,
          series: [
            { label: 'time', value: timeLegend },
            ...series.map((one, index) => ({
              label: one.label,
              stroke: seriesColor(index),
              width: 1.5,
              spanGaps: false,
            })),
          ],
          axes: [{}, { size: 70 }],
          ...(span === undefined
            ? {}
            : { scales: { x: { time: true, range: () => [span[0] / 1000, span[1] / 1000] } } }),
          cursor: { drag: { x: true, y: false } },
        },
        plotData(series),
        container,
      ),
  );
}

/**
 * A bar chart of counts over a time span (ms); `onPick` gets the index of the bar clicked (the
 * one under the cursor).
 */
export function barChart(
  container: HTMLElement,
  times: readonly number[],
  counts: readonly number[],
  label: string,
  onPick: (index: number) => void,
  span: readonly [start: number, stop: number],
  height = 220,
): Chart {
  const chart = sized(
    container,
    (width) =>
      new uPlot(
        {
          width,
          height,
          series: [
            { label: 'check', value: timeLegend },
            {
              label,
              stroke: '#c92a2a',
              fill: 'rgba(201, 42, 42, 0.55)',
              ...(BARS === undefined ? {} : { paths: BARS({ size: [0.8, 24], align: 0 }) }),
              points: { show: false },
            },
          ],
          scales: {
            x: { time: true, range: () => [span[0] / 1000, span[1] / 1000] },
            y: { range: (_plot, _min, max) => [0, Math.max(1, max)] },
          },
          axes: [{}, { size: 50, incrs: [1, 2, 5, 10, 20, 50, 100] }],
          cursor: { drag: { x: false, y: false } },
          legend: { show: true },
        },
        [times.map((time) => time / 1000), [...counts]],
        container,
      ),
  );
  // NOTE: the index from the click's own position: uPlot moves its cursor on the next frame, so
  // `cursor.idx` may still be where the pointer was before.
  chart.plot.over.addEventListener('click', (event) => {
    if (times.length > 0) onPick(chart.plot.posToIdx(event.offsetX));
  });
  return chart;
}
