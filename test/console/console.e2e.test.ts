/**
 * The console in a real browser (Debian's Chromium, headless) against a real `orzo serve` with
 * seeded data: every page loads without errors, charts draw, pickers change the requests, a
 * timeline bar opens its findings, a settings change is saved and read back, a user who is not
 * an admin does not get the admin pages. A screenshot of each page is kept in
 * `artifacts/console/` (or `$ORZO_ARTIFACTS/console/`).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Page,
  Request,
} from 'playwright-core';

import { dateToMicros } from '../../src/grammar/index.ts';
import { createIndexer } from '../../src/indexer/index.ts';
import { launchChromium } from '../support/browser.ts';
import {
  adminCall,
  createResource,
  postMeasures,
  type SeededResource,
} from '../support/console-seed.ts';
import {
  freePort,
  launchListener,
  launchOrzo,
  runOrzoAsync,
  startOrzo,
  type MetricdChild,
  type OrzoChild,
  type OrzoProcess,
} from '../support/orzo-process.ts';
import { PROC_FIXTURE } from '../support/proc-fixture.ts';
import { waitUntil } from '../support/wait-until.ts';

const ARTIFACTS = join(
  process.env.ORZO_ARTIFACTS ?? join(import.meta.dirname, '..', '..', 'artifacts'),
  'console',
);
/** The pages, each with what shows once its data is in. */
const PAGES = {
  series: 'ul.resources li',
  hosts: '.hosts > *',
  policies: 'table.grid',
  metricd: '.workers > *',
  ops: '.ops > section',
  subhealth: 'section.group .u-over',
} as const;
const ADMIN_PAGES = ['metricd', 'ops', 'subhealth'];
/** The first series' colour (`seriesColor(0)`), looked for on the canvas. */
const FIRST_SERIES_RGB = [0x2f, 0x6f, 0xdf] as const;
const HOUR_MS = 3_600_000;
const AGENT_SECRET = 'the-console-test-agent-secret';
const HOST = 'web-9';

/** A page and the errors it logged. */
interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
  readonly requests: URL[];
}

async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: URL[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request: Request) => requests.push(new URL(request.url())));
  return { page, errors, requests };
}

/** How long one page's test may take, well inside the suite's timeout. */
const PAGE_TEST_MS = 120_000;
/** How long a screenshot or a context's closing may take once a page's test has failed. */
const AFTERMATH_MS = 10_000;

/** `promise`, or `undefined` once `ms` have passed (its rejection, if any, ignored). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `test` on a watched page of a fresh browser context, closed afterwards. */
async function withPage(
  browser: Browser,
  options: BrowserContextOptions,
  test: (watched: WatchedPage) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  try {
    await reporting(await openPage(context), test);
  } finally {
    await within(context.close(), AFTERMATH_MS);
  }
}

/**
 * Runs `test` on `watched`. A test that fails or outlasts `PAGE_TEST_MS` (a page stuck in a
 * script waits forever on `page.evaluate`) leaves a screenshot in the artifacts and fails with
 * the page's errors and last requests.
 */
async function reporting(
  watched: WatchedPage,
  test: (watched: WatchedPage) => Promise<void>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the page's test took over ${PAGE_TEST_MS / 1000} s`));
    }, PAGE_TEST_MS);
  });
  try {
    await Promise.race([test(watched), deadline]);
  } catch (error) {
    const shot = join(ARTIFACTS, `failed-${Date.now()}.png`);
    const saved = await within(
      watched.page.screenshot({ path: shot, fullPage: true }),
      AFTERMATH_MS,
    );
    throw new Error(
      [
        `page test failed at ${watched.page.url()}: ${String(error)}`,
        saved === undefined ? 'no screenshot (the page did not answer)' : `screenshot: ${shot}`,
        `page errors: ${JSON.stringify(watched.errors)}`,
        `last requests: ${watched.requests.slice(-20).map(String).join(', ')}`,
      ].join('\n'),
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

async function signIn(page: Page, url: string, user: string): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.fill('input[name=user]', user);
  await page.click('form.sign-in button[type=submit]');
  await page.waitForSelector('nav');
}

/** Pixels of the canvases under `selector` near the colour given. */
async function pixelsOf(
  page: Page,
  selector: string,
  rgb: readonly [number, number, number],
): Promise<number> {
  return page.evaluate(
    ({ selector, rgb }) => {
      let count = 0;
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>(`${selector} canvas`)) {
        const context = canvas.getContext('2d');
        if (context === null) continue;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        for (let index = 0; index < data.length; index += 4) {
          const near =
            Math.abs((data[index] ?? 0) - rgb[0]) < 24 &&
            Math.abs((data[index + 1] ?? 0) - rgb[1]) < 24 &&
            Math.abs((data[index + 2] ?? 0) - rgb[2]) < 24 &&
            (data[index + 3] ?? 0) > 128;
          if (near) count++;
        }
      }
      return count;
    },
    { selector, rgb },
  );
}

/** Waits for a request whose path ends with `suffix` and whose query passes `check`. */
async function requestMatching(
  watched: WatchedPage,
  suffix: string,
  check: (query: URLSearchParams) => boolean,
): Promise<URL> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = watched.requests.find(
      (url) => url.pathname.endsWith(suffix) && check(url.searchParams),
    );
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no request to …${suffix} as expected; saw ${watched.requests.map(String).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the console in a browser', { timeout: 300_000 }, () => {
  let orzo: OrzoProcess;
  let browser: Browser;
  let agent: MetricdChild;
  const agentDir = mkdtempSync(join(tmpdir(), 'orzo-console-agent-'));
  let web1: SeededResource;
  let web2: SeededResource;
  const [dryRunCheck = 0, ...checks] = [6, 3, 1].map(
    (hours) => Math.floor((Date.now() - hours * HOUR_MS) / 30_000) * 30_000,
  );

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const agentPort = await freePort();
    [orzo, browser, agent] = await Promise.all([
      startOrzo('serve', [], {
        env: {
          ORZO_POLLER_ENABLED: 'true',
          ORZO_POLLER_SECRET: AGENT_SECRET,
          ORZO_POLLER_QUANTUM_SECONDS: '1',
        },
      }),
      launchChromium(),
      // A real agent on a loopback address of its own, reading a fixture /proc tree.
      launchListener('agent', {
        dataDir: agentDir,
        env: {
          ORZO_AGENT_HOST: '127.0.0.2',
          ORZO_AGENT_PORT: String(agentPort),
          ORZO_AGENT_SECRET: AGENT_SECRET,
          ORZO_AGENT_PROC_ROOT: PROC_FIXTURE,
          ORZO_AGENT_HOSTNAME: HOST,
          ORZO_AGENT_QUANTUM_SECONDS: '1',
        },
      }),
    ]);
    await runOrzoAsync(['host', 'add', HOST, `127.0.0.2:${agentPort}`, '--data-dir', orzo.dataDir]);
    web1 = await createResource(orzo.url, 'web-1', ['cpu.util', 'mem.util']);
    web2 = await createResource(orzo.url, 'web-2', ['cpu.util', 'mem.util']);
    await Promise.all(
      [web1, web2].flatMap((resource, offset) =>
        Object.values(resource.metrics).map((id) =>
          postMeasures(orzo.url, id, 180, (index) => 40 + offset * 20 + 10 * Math.sin(index / 9)),
        ),
      ),
    );
    // NOTE: findings are the detector's rows in the indexer; written straight there, as the
    // detector does, so that the timeline has known bars without hours of checks.
    const indexer = createIndexer({ backend: 'sqlite', path: join(orzo.dataDir, 'index.db') });
    try {
      await indexer.addSubhealthFindings(
        [
          ...checks.map((checkTime, index) => [checkTime, index + 1, false] as const),
          [dryRunCheck, 1, true] as const,
        ].flatMap(([checkTime, count, dryRun]) =>
          Array.from({ length: count }, (_, instance) => ({
            ctime: dateToMicros(new Date(checkTime)),
            cluster: 'metricd_workers',
            checkTime: dateToMicros(new Date(checkTime)),
            hostId: 'h1',
            hostName: dryRun ? 'node-b' : 'node-a',
            instanceId: `worker-${instance}`,
            instanceName: `${dryRun ? 'node-b' : 'node-a'}.worker-${instance}`,
            waits: 12.5,
            waitShare: 0.8,
            loadShare: 0.25,
            excess: 3.2,
            topWaits: { storage_wait: 12.5 },
            dryRun,
          })),
        ),
      );
    } finally {
      await indexer.close();
    }
    await waitUntil(`${HOST}'s now view`, async () => {
      const now = await adminCall(orzo.url, 'GET', `/v1/host/${HOST}/now`).catch(() => undefined);
      return (now as { up?: boolean } | undefined)?.up === true;
    });
  });

  after(async () => {
    // NOTE: either is unset when `before` failed part way.
    await (browser as Browser | undefined)?.close();
    await (orzo as OrzoProcess | undefined)?.stop();
    await (agent as MetricdChild | undefined)?.stop();
    rmSync(agentDir, { recursive: true, force: true });
  });

  it('loads every page without errors, as an admin', async () => {
    await withPage(browser, {}, async (watched) => {
      await signIn(watched.page, orzo.url, 'admin');
      const links = await watched.page.locator('nav a').allTextContents();
      assert.deepEqual(links, ['Series', 'Hosts', 'Policies', 'metricd', 'Ops', 'Sub-health']);
      for (const [name, ready] of Object.entries(PAGES)) {
        await watched.page.goto(`${orzo.url}/console/#/${name}`);
        await watched.page.waitForSelector(`main ${ready}`);
        await watched.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      }
      assert.deepEqual(watched.errors, []);
      await watched.page.goto(`${orzo.url}/console/#/policies`);
      await watched.page.waitForSelector('text=medium');
      const medium = await watched.page.locator('tr', { hasText: 'medium' }).first().textContent();
      // 1 min × 10,080 and 1 h × 8,760 points, for each of the 6 default methods.
      assert.match(medium ?? '', /113,040/);
    });
  });

  it('charts metrics, and the pickers change the request', async () => {
    await withPage(
      browser,
      {
        timezoneId: 'Asia/Tokyo',
        acceptDownloads: true,
      },
      async (watched) => {
        const { page } = watched;
        await signIn(page, orzo.url, 'admin');
        await page.fill('input[name=filter]', 'web');
        await page.click('form.search button[type=submit]');
        await page.click('ul.resources button:text-is("web-1")');
        await page.check(`input[name=metric][value="${web1.metrics['cpu.util']}"]`);
        await page.waitForSelector('[data-view=series] canvas');
        assert.ok(
          (await pixelsOf(page, '[data-view=series]', FIRST_SERIES_RGB)) > 100,
          'the series is drawn',
        );
        await page.fill('input[name=filter]', "original_resource_id = 'web-2'");
        await page.click('form.search button[type=submit]');
        await page.click('ul.resources button:text-is("web-2")');
        await page.check(`input[name=metric][value="${web2.metrics['cpu.util']}"]`);
        await page.waitForSelector('.u-legend >> text=web-2/cpu.util');
        assert.match(page.url(), new RegExp(`metric=${web1.metrics['cpu.util']}.*metric=`));

        const metricPath = `/measures`;
        await page.selectOption('select[name=aggregation]', 'max');
        await requestMatching(watched, metricPath, (query) => query.get('aggregation') === 'max');
        await page.selectOption('select[name=granularity]', '3600');
        await requestMatching(watched, metricPath, (query) => query.get('granularity') === '3600');
        await page.selectOption('select[name=range]', '3600');
        const hour = await requestMatching(
          watched,
          metricPath,
          (query) => Math.abs(Date.now() - HOUR_MS - Date.parse(query.get('start') ?? '')) < 60_000,
        );
        assert.equal(hour.searchParams.get('granularity'), '3600');
        await page.selectOption('select[name=granularity]', '60');
        await page.fill('input[name=resample]', '300');
        await page.dispatchEvent('input[name=resample]', 'change');
        await requestMatching(watched, metricPath, (query) => query.get('resample') === '300');

        // The address keeps the chart: a reload draws the same metrics with the same pickers.
        await page.reload();
        await page.waitForSelector('.u-legend >> text=web-2/cpu.util');
        assert.equal(await page.inputValue('select[name=aggregation]'), 'max');
        assert.equal(await page.inputValue('select[name=granularity]'), '60');
        assert.equal(await page.inputValue('select[name=range]'), '3600');
        assert.equal(await page.inputValue('input[name=resample]'), '300');

        // The table: times in the browser's zone (Tokyo, UTC+9), UTC on hover.
        await page.click('[data-view=series] button:text-is("Table")');
        const cell = page.locator('[data-view=series] table time').first();
        const utc = await cell.getAttribute('datetime');
        const shown = await cell.textContent();
        assert.ok(utc !== null && shown !== null);
        const tokyoHour = (new Date(utc).getUTCHours() + 9) % 24;
        assert.match(shown, new RegExp(`\\b${String(tokyoHour).padStart(2, '0')}:`));
        assert.match((await cell.getAttribute('title')) ?? '', /UTC$/);

        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.click('[data-view=series] button:text-is("CSV")'),
        ]);
        const csv = await (await download.createReadStream()).toArray();
        const lines = Buffer.concat(csv as Buffer[])
          .toString('utf8')
          .trim()
          .split('\r\n');
        assert.equal(lines[0], 'time,web-1/cpu.util,web-2/cpu.util');
        assert.ok(lines.length >= 12, `an hour of 5 min points, got ${lines.length - 1}`);

        await page.fill(
          'textarea[name=operations]',
          `(aggregate mean (metric (${web1.metrics['cpu.util']} mean) (${web2.metrics['cpu.util']} mean)))`,
        );
        await page.click('form.aggregates button[type=submit]');
        await page.waitForSelector('[data-view=aggregates] canvas');
        assert.ok((await pixelsOf(page, '[data-view=aggregates]', FIRST_SERIES_RGB)) > 100);
        await page.click('[data-view=series] button:text-is("Chart")');
        await page.waitForSelector('[data-view=series] canvas');
        await page.screenshot({ path: join(ARTIFACTS, 'series-chart.png'), fullPage: true });
        assert.deepEqual(watched.errors, []);
      },
    );
  });

  it('opens the findings of a timeline bar, and saves the settings form', async () => {
    await withPage(browser, {}, async (watched) => {
      const { page } = watched;
      await signIn(page, orzo.url, 'admin');
      await page.goto(`${orzo.url}/console/#/subhealth`);
      const group = page.locator('section.group[data-group=metricd_workers]');
      const over = group.locator('.u-over');
      await over.waitFor();
      const box = await over.boundingBox();
      assert.ok(box !== null);
      // The chart spans the 24 hours up to now; the bar of the newer check holds two findings.
      const x = box.width * (1 - (Date.now() - (checks[1] ?? 0)) / (24 * HOUR_MS));
      await over.click({ position: { x, y: box.height - 5 } });
      const findings = group.locator('.findings table tbody tr');
      await findings.first().waitFor();
      assert.equal(await findings.count(), 2);
      const text = await group.locator('.findings').textContent();
      assert.match(text ?? '', /node-a\.worker-1/);
      assert.match(text ?? '', /80\.0 %/);
      await page.screenshot({ path: join(ARTIFACTS, 'subhealth-findings.png'), fullPage: true });

      // A group's dry-run findings are a timeline of their own.
      await group.locator('input[name=dry_run]').check();
      await requestMatching(
        watched,
        '/v1/subhealth/timeline',
        (query) => query.get('dry_run') === 'true',
      );
      await group.locator('.u-legend >> text=would-be slow instances').waitFor();
      const dryX = box.width * (1 - (Date.now() - dryRunCheck) / (24 * HOUR_MS));
      await over.click({ position: { x: dryX, y: box.height - 5 } });
      await group.locator('.findings table tbody tr').first().waitFor();
      assert.deepEqual(
        await group.locator('.findings table tbody tr td:nth-child(2)').allTextContents(),
        ['node-b.worker-0'],
      );
      await group.locator('input[name=dry_run]').uncheck();

      const form = page.locator('form.settings[data-group=metricd_workers]');
      await form.locator('input[name=minShare]').fill('0.65');
      await form.locator('input[name=consecutive]').fill('4');
      await form.locator('button[type=submit]').click();
      await form.locator('text=Saved').waitFor();
      const config = (await adminCall(orzo.url, 'GET', '/v1/subhealth/config')) as {
        groups: Record<string, Record<string, unknown>>;
      };
      const saved = config.groups.metricd_workers;
      assert.ok(saved !== undefined);
      assert.equal(saved.minShare, 0.65);
      assert.equal(saved.consecutive, 4);
      await page.reload();
      await page.waitForSelector('form.settings[data-group=metricd_workers]');
      assert.equal(await form.locator('input[name=minShare]').inputValue(), '0.65');

      await form.locator('input[name=minShare]').fill('7');
      await form.locator('button[type=submit]').click();
      await form.locator('[role=alert]').waitFor();
      assert.match((await form.locator('[role=alert]').textContent()) ?? '', /^400: .*minShare/);
      const unchanged = (await adminCall(orzo.url, 'GET', '/v1/subhealth/config')) as {
        groups: Record<string, Record<string, unknown>>;
      };
      assert.equal(unchanged.groups.metricd_workers?.minShare, 0.65);
      // The refused save logged its 400 in the browser; nothing else may have.
      assert.deepEqual(
        watched.errors.filter((error) => !error.includes('400')),
        [],
      );
    });
  });

  it("lists the hosts with their now view, and charts a host's metrics", async () => {
    await withPage(browser, {}, async (watched) => {
      const { page } = watched;
      await signIn(page, orzo.url, 'admin');
      await page.goto(`${orzo.url}/console/#/hosts`);
      const row = page.locator('.hosts tr', { hasText: HOST });
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      assert.match(cells[1] ?? '', /^127\.0\.0\.2:\d+$/);
      assert.equal(cells[2], 'up');
      // The fixture's load average, and its MemTotal in GiB.
      assert.equal(cells[5], '0.50');
      assert.match(cells[8] ?? '', / GiB$/);
      await row.locator('button').click();
      await page.waitForSelector('.hosts-page h2:text-is("web-9")');
      const ticked = page.locator('.host-metrics label', { has: page.locator('input:checked') });
      assert.deepEqual(await ticked.allTextContents(), ['node_load1']);
      await page.waitForSelector('[data-view=host] canvas');
      assert.ok((await pixelsOf(page, '[data-view=host]', FIRST_SERIES_RGB)) > 100);
      await page.screenshot({ path: join(ARTIFACTS, 'hosts-chart.png'), fullPage: true });
      assert.deepEqual(watched.errors, []);
    });
  });

  it('shows a user who is not an admin only the pages they may read', async () => {
    await withPage(browser, {}, async (watched) => {
      const { page } = watched;
      await signIn(page, orzo.url, 'alice');
      assert.deepEqual(await page.locator('nav a').allTextContents(), [
        'Series',
        'Hosts',
        'Policies',
      ]);
      for (const name of ADMIN_PAGES) {
        await page.goto(`${orzo.url}/console/#/${name}`);
        assert.equal(await page.locator('main h1').textContent(), 'Series');
      }
      assert.equal(
        watched.requests.filter((url) => /\/v1\/(ops|subhealth)/.test(url.pathname)).length,
        0,
        'no admin read is even tried',
      );
      assert.deepEqual(watched.errors, []);
    });
  });
});

describe('signing in to the console of a verified API', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-console-verified-'));
  let api: OrzoChild;
  let browser: Browser;
  let token: string;
  const orzo = (args: readonly string[], input?: string): Promise<string> =>
    runOrzoAsync([...args, '--data-dir', dataDir, '--auth', 'verified'], {
      env: { ORZO_ADMIN_PASSWORD: 'admin-secret' },
      ...(input === undefined ? {} : { input }),
    });

  before(async () => {
    await orzo(['upgrade']);
    await orzo(['user', 'add', 'alice', '--project', 'p1', '--roles', 'member'], 'alice-pw\n');
    const created = await orzo(['token', 'create', 'alice', '--description', 'console']);
    token = /\S+_\S+/.exec(created)?.[0] ?? '';
    [api, browser] = await Promise.all([
      launchOrzo('api', { dataDir, port: await freePort(), flags: ['--auth', 'verified'] }),
      launchChromium(),
    ]);
  });
  after(async () => {
    await (browser as Browser | undefined)?.close();
    await (api as OrzoChild | undefined)?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with a password or a token, and refuses a wrong password', async () => {
    await withPage(browser, {}, async (watched) => {
      const { page } = watched;
      await page.goto(`${api.url}/console/`);
      await page.fill('input[name=user]', 'alice');
      await page.fill('input[name=password]', 'wrong');
      await page.click('form.sign-in button[type=submit]');
      await page.locator('form.sign-in [role=alert]').waitFor();
      assert.match(
        (await page.locator('[role=alert]').textContent()) ?? '',
        /^Sign-in failed: 401/,
      );

      await page.fill('input[name=password]', 'alice-pw');
      await page.click('form.sign-in button[type=submit]');
      await page.waitForSelector('nav');
      assert.equal(await page.locator('nav .who').textContent(), 'alice:p1');
      assert.deepEqual(await page.locator('nav a').allTextContents(), [
        'Series',
        'Hosts',
        'Policies',
      ]);
      await page.waitForSelector('main ul.resources li');

      await page.click('nav button:text-is("Sign out")');
      await page.fill('input[name=token]', token);
      await page.click('form.sign-in button[type=submit]');
      await page.waitForSelector('nav');
      assert.equal(await page.locator('nav .who').textContent(), 'alice:p1');

      await page.click('nav button:text-is("Sign out")');
      await page.fill('input[name=user]', 'admin');
      await page.fill('input[name=password]', 'admin-secret');
      await page.click('form.sign-in button[type=submit]');
      await page.waitForSelector('nav a:text-is("Sub-health")');
      // The refused password's 401 is the one error the browser logged.
      assert.deepEqual(
        watched.errors.filter((error) => !error.includes('401')),
        [],
      );
    });
  });
});
