/**
 * `npm run bench:console`: how long the console takes to draw its first chart, from the
 * browser's own timing (the `orzo:chart:series` mark the page sets when a chart is drawn, in ms
 * since the navigation began), in Debian's Chromium, headless, against a real `orzo serve`:
 *
 * - `1,000 metrics`: a server holding `--metrics` metrics (one per resource) and a link charting
 *   one of them, `--points-small` points;
 * - `10,000 points`: a link charting one metric of `--points` points (1 min apart);
 * - `20 metrics`: a link charting 20 metrics of `--points-small` points on one chart.
 *
 * Each is loaded `--runs` times in a fresh page (after one warm-up load, which also times the
 * server's first bundling of the script). Prints one JSON object: per case, the median, min and
 * max of when the chart was drawn, when the page's script had run, when the last measures read
 * was answered, and the drawing (chart less measures); and the script and stylesheet sizes.
 */
import { parseArgs } from 'node:util';

import type { Browser } from 'playwright-core';

import { launchChromium } from '../test/support/browser.ts';
import { ADMIN_HEADERS, createResource, postMeasures } from '../test/support/console-seed.ts';
import { startOrzo } from '../test/support/orzo-process.ts';

const { values } = parseArgs({
  options: {
    metrics: { type: 'string', default: '1000' },
    points: { type: 'string', default: '10000' },
    'points-small': { type: 'string', default: '360' },
    runs: { type: 'string', default: '7' },
  },
});
const METRICS = Number(values.metrics);
const POINTS = Number(values.points);
const POINTS_SMALL = Number(values['points-small']);
const RUNS = Number(values.runs);

const WEEK_SECONDS = 604_800;

const SESSION = {
  user: 'admin',
  headers: { Authorization: ADMIN_HEADERS.authorization },
  rules: { 'get status': true, 'get ops': true, 'get subhealth': true, 'update subhealth': true },
};

/** What one page load took, in ms since its navigation began. */
interface Timing {
  /** The page's script has run (`domContentLoadedEventEnd`). */
  readonly script: number;
  /** The last measures read has been answered. */
  readonly measures: number;
  /** The chart is drawn (the page's own mark). */
  readonly chart: number;
}

/** Loads the console at `hash` in a fresh signed-in page, until its first chart. */
async function timeToChart(browser: Browser, url: string, hash: string): Promise<Timing> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.addInitScript({
      content: `sessionStorage.setItem('orzo-console-session', ${JSON.stringify(JSON.stringify(SESSION))});`,
    });
    const page = await context.newPage();
    await page.goto(`${url}/console/#/${hash}`);
    await page.waitForFunction(
      () => performance.getEntriesByName('orzo:chart:series').length > 0,
      undefined,
      { timeout: 60_000 },
    );
    // NOTE: a string, run in the page: this file is type-checked without the DOM's types.
    return await page.evaluate<Timing>(`(() => {
      const navigation = performance.getEntriesByType('navigation')[0];
      const reads = performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/measures'));
      return {
        script: navigation.domContentLoadedEventEnd,
        measures: Math.max(...reads.map((entry) => entry.responseEnd)),
        chart: performance.getEntriesByName('orzo:chart:series')[0].startTime,
      };
    })()`);
  } finally {
    await context.close();
  }
}

function summary(times: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (value: number | undefined): number => Math.round((value ?? NaN) * 10) / 10;
  return {
    median: round(sorted[Math.floor(sorted.length / 2)]),
    min: round(sorted[0]),
    max: round(sorted.at(-1)),
  };
}

const orzo = await startOrzo('serve');
const browser = await launchChromium();
try {
  const seedStart = Date.now();
  const resources = [];
  for (let index = 0; index < METRICS; index += 50) {
    const batch = Array.from({ length: Math.min(50, METRICS - index) }, (_, offset) =>
      createResource(orzo.url, `host-${String(index + offset).padStart(5, '0')}`, ['cpu.util']),
    );
    resources.push(...(await Promise.all(batch)));
  }
  const charted = resources.slice(0, 20).map((resource) => resource.metrics['cpu.util'] ?? '');
  await Promise.all(
    charted.map((id, offset) =>
      postMeasures(orzo.url, id, POINTS_SMALL, (index) => 50 + offset + 20 * Math.sin(index / 30)),
    ),
  );
  const big = await createResource(orzo.url, 'big', ['cpu.util']);
  const bigId = big.metrics['cpu.util'] ?? '';
  await postMeasures(orzo.url, bigId, POINTS, (index) => 50 + 20 * Math.sin(index / 300));
  const seedSeconds = (Date.now() - seedStart) / 1000;

  const cases = {
    [`first chart, ${METRICS.toLocaleString('en')} metrics on the server`]: `series?metric=${charted[0] ?? ''}`,
    [`one series of ${POINTS.toLocaleString('en')} points`]: `series?metric=${bigId}&granularity=60&range=${WEEK_SECONDS}`,
    [`20 metrics of ${POINTS_SMALL} points on one chart`]: `series?${charted.map((id) => `metric=${id}`).join('&')}`,
  };
  const warmUp = await timeToChart(browser, orzo.url, `series?metric=${charted[0] ?? ''}`);
  // NOTE: metricd may still be folding the seeded measures' last ticks.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const results: Record<string, unknown> = {};
  for (const [name, hash] of Object.entries(cases)) {
    const timings = [];
    for (let run = 0; run < RUNS; run++) timings.push(await timeToChart(browser, orzo.url, hash));
    results[name] = {
      chart_drawn: summary(timings.map((timing) => timing.chart)),
      script_run: summary(timings.map((timing) => timing.script)),
      measures_answered: summary(timings.map((timing) => timing.measures)),
      drawing: summary(timings.map((timing) => timing.chart - timing.measures)),
    };
  }
  const sizes = await Promise.all(
    ['app.js', 'app.css'].map(async (asset) => {
      const response = await fetch(`${orzo.url}/console/${asset}`, {
        headers: { 'accept-encoding': 'identity' },
      });
      return (await response.arrayBuffer()).byteLength;
    }),
  );
  console.log(
    JSON.stringify(
      {
        runs: RUNS,
        seed_seconds: Math.round(seedSeconds),
        first_load_with_bundling_ms: Math.round(warmUp.chart),
        time_to_first_chart_ms: results,
        script_bytes: sizes[0],
        stylesheet_bytes: sizes[1],
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await orzo.stop();
}
