/**
 * `npm run bench:auth`: what each auth mode costs per request. `orzo api` runs in its own process
 * (SQLite indexer, logging requests as it does by default) once per mode, and the same closed
 * loop of `GET /v1/metric/{id}` (one indexer read and a policy check) is timed against it:
 *
 * - `noauth` (headers believed) and `basic` (password ignored): the baselines;
 * - `verified` with Basic credentials, warm (the password check remembered) and cold (every
 *   request a user whose password was never checked: one scrypt each);
 * - `verified` with a Bearer API token;
 * - `keystone` with a warm cache (a real Keystone from Debian's package, started here), and cold
 *   (every request a token Orzo has not validated yet: one round trip to Keystone each).
 *
 * The cold runs send one request at a time (their latency is the cost of a first check: a scrypt,
 * or a round trip to Keystone's single-threaded test server); the others `--concurrency` at once.
 * The server's log goes to $TMPDIR/orzo-bench-auth.log. Prints one JSON object; `overhead_us` is
 * the extra server time per request against `noauth` (1/throughput, the server being saturated),
 * meaningful for the warm runs only.
 *
 * Options: `--requests N` (default 20000), `--warmup N` untimed requests first (default 5000),
 * `--cold N` (default 200), `--concurrency N` (default 8).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startKeystone } from '../test/support/keystone.ts';
import { startOrzo, runOrzo, type OrzoProcess } from '../test/support/orzo-process.ts';
import { runLoad, type LoadFigures } from './http-load.ts';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '5000' },
    cold: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
  },
});
const REQUESTS = Number(flags.requests);
const WARMUP = Number(flags.warmup);
const COLD = Number(flags.cold);
const CONCURRENCY = Number(flags.concurrency);
const LOG_FILE = join(tmpdir(), 'orzo-bench-auth.log');
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** Creates a metric as `headers` and times `total` reads of it with `headersOf(i)`. */
async function readLoad(
  orzo: OrzoProcess,
  creator: Record<string, string>,
  total: number,
  headersOf: (index: number) => Record<string, string>,
  concurrency = CONCURRENCY,
): Promise<LoadFigures> {
  const created = await fetch(`${orzo.url}/v1/metric`, {
    method: 'POST',
    headers: { ...creator, 'content-type': 'application/json' },
    body: JSON.stringify({ archive_policy_name: 'low' }),
  });
  if (created.status !== 201) throw new Error(`metric creation: ${created.status}`);
  const { id } = (await created.json()) as { id: string };
  const load = (count: number, headers: (index: number) => Record<string, string>) =>
    runLoad({
      baseUrl: orzo.url,
      total: count,
      concurrency,
      expectStatus: 200,
      next: (index) => ({ method: 'GET', path: `/v1/metric/${id}`, headers: headers(index) }),
    });
  // NOTE: the same requests as the creator first, untimed, so that every mode is measured on a
  // server whose code is compiled and whose caches are filled alike.
  await load(WARMUP, () => creator);
  return load(total, headersOf);
}

async function plainMode(
  mode: 'noauth' | 'basic',
  headers: Record<string, string>,
): Promise<LoadFigures> {
  const orzo = await startOrzo('api', ['--auth', mode], { logFile: LOG_FILE });
  try {
    return await readLoad(orzo, headers, REQUESTS, () => headers);
  } finally {
    await orzo.stop();
  }
}

async function verifiedMode(): Promise<Record<string, LoadFigures>> {
  const orzo = await startOrzo('api', ['--auth', 'verified'], { logFile: LOG_FILE });
  const cli = (args: string[], input?: string) =>
    runOrzo([...args, '--data-dir', orzo.dataDir, '--auth', 'verified'], {
      ...(input === undefined ? {} : { input }),
    });
  try {
    // NOTE: startOrzo's own upgrade ran before the admin's password was given; this one makes it.
    runOrzo(['upgrade', '--data-dir', orzo.dataDir, '--auth', 'verified'], {
      env: { ORZO_ADMIN_PASSWORD: 'bench-admin' },
    });
    const admin = basic('admin', 'bench-admin');
    const token = cli(['token', 'create', 'admin']).trim();
    const warm = await readLoad(orzo, admin, REQUESTS, () => admin);
    const bearer = await readLoad(orzo, admin, REQUESTS, () => ({
      authorization: `Bearer ${token}`,
    }));
    for (let user = 0; user < COLD; user += 1) {
      cli(['user', 'add', `cold-${user}`, '--roles', 'admin'], `pw-${user}\n`);
    }
    const cold = await readLoad(
      orzo,
      admin,
      COLD,
      (index) => basic(`cold-${index}`, `pw-${index}`),
      1,
    );
    return { basic_warm: warm, bearer, basic_cold: cold };
  } finally {
    await orzo.stop();
  }
}

async function keystoneMode(): Promise<Record<string, LoadFigures>> {
  const keystone = await startKeystone(3600);
  try {
    await keystone.addServiceUser('gnocchi', 'gnocchi-pw');
    const orzo = await startOrzo('api', ['--auth', 'keystone'], {
      logFile: LOG_FILE,
      env: {
        ORZO_API_KEYSTONE_URL: keystone.url,
        ORZO_API_KEYSTONE_SERVICE_PASSWORD: 'gnocchi-pw',
      },
    });
    try {
      const admin = { 'x-auth-token': (await keystone.issueToken()).token };
      const warm = await readLoad(orzo, admin, REQUESTS, () => admin);
      const tokens: string[] = [];
      for (let index = 0; index < COLD; index += 1) {
        tokens.push((await keystone.issueToken()).token);
      }
      const cold = await readLoad(
        orzo,
        admin,
        COLD,
        (index) => ({ 'x-auth-token': tokens[index] ?? '' }),
        1,
      );
      return { warm, cold };
    } finally {
      await orzo.stop();
    }
  } finally {
    await keystone.stop();
  }
}

const perRequestUs = (figures: LoadFigures) => 1e6 / figures.requests_per_s;
const noauth = await plainMode('noauth', { 'x-user-id': 'admin', 'x-roles': 'admin' });
const gnocchiBasic = await plainMode('basic', basic('admin', ''));
const verified = await verifiedMode();
const keystone = await keystoneMode();
const modes: Record<string, LoadFigures> = {
  noauth,
  basic: gnocchiBasic,
  verified_basic_warm: verified.basic_warm ?? noauth,
  verified_bearer: verified.bearer ?? noauth,
  verified_basic_cold: verified.basic_cold ?? noauth,
  keystone_warm: keystone.warm ?? noauth,
  keystone_cold: keystone.cold ?? noauth,
};
const figures = {
  node: process.version,
  concurrency: CONCURRENCY,
  request: 'GET /v1/metric/{id}',
  modes: Object.fromEntries(
    Object.entries(modes).map(([name, load]) => [
      name,
      { ...load, overhead_us: Math.round(perRequestUs(load) - perRequestUs(noauth)) },
    ]),
  ),
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
