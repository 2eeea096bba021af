/**
 * The `orzo` command line: the composition root that reads the configuration and runs a command.
 */
import { loadConfig, redactConfig } from '../config/index.ts';
import { EngineError } from '../errors/engine-error.ts';
import { ACCOUNT_VALUE_FLAGS, AccountCommandError, runAccounts } from './accounts.ts';
import { runApi } from './api.ts';
import { runBackup, runRestore } from './backup.ts';
import { runAgent } from './agent.ts';
import { runFeeder } from './feeders.ts';
import { runHosts } from './hosts.ts';
import { runSubhealth } from './subhealth.ts';
import { runMetricd, runMetricdWorker } from './metricd.ts';
import { runMetricdFail } from './metricd-fail.ts';
import { OPS_VALUE_FLAGS, runOps } from './ops.ts';
import { runServe } from './serve.ts';
import { runUpgrade } from './upgrade.ts';
import { packagePath } from '../fs/package-root.ts';
import { keepStringPrototypeFast } from '../redis/keep-string-prototype-fast.ts';

const USAGE = `usage: orzo <command> [flags]

commands:
  serve     everything on one machine: upgrade, then the API and metricd with its workers
  upgrade   create or migrate the indexer schema, the incoming sacks and the storage layout;
            creates the default archive policies on an empty index
            (--skip-archive-policies-creation not to; --skip-index, --skip-incoming,
            --skip-storage to leave one part alone; --sacks N)
  api       run the HTTP API (--host, --port, --auth basic|noauth|remoteuser|verified)
  metricd   run the reporter and N worker processes that aggregate measures (--workers N);
            with --coordination redis://…, reporters of every metricd elect an active one
  metricd fail [NAME]
            force a failover of the active reporter (Redis coordination): a standby takes over
  ops <in-flight|blocked|historic|historic-by-duration|historic-slow|slow|by-duration>
            print an op dump of a running API and of every metricd on its data folder
            (--url URL, default http://<host>:<port>; --user NAME, default admin;
            --token TOKEN or ORZO_API_TOKEN for --auth verified;
            --kind KIND, --description TEXT to filter); exits 1 on an error answer,
            2 when the API does not answer
  backup DIR
            copy a running embedded deployment (SQLite, files) into DIR, losing nothing
            acknowledged before it began
  restore DIR
            bring a backup back into the (empty) data folder
  user add NAME [--project ID] [--roles admin,…] | user passwd NAME | user remove NAME | user list
            the users of --auth verified; a new password is read from standard input (asked
            twice without echo on a terminal); remove also revokes the user's tokens
  token create USER [--description TEXT] [--expires DURATION] | token list [USER] | token revoke ID
            API tokens of --auth verified, sent as 'Authorization: Bearer <token>'; create prints
            the token, which is shown this once and stored only as a digest
  statsd    listen for statsd datagrams (UDP, statsd.port, default 8125) and store them, every
            statsd.flushSeconds, as metrics 'name|type' of the resource statsd.resourceId
  graphite  listen for Graphite plaintext lines (TCP and UDP, graphite.port, default 2003); paths
            become resources and metrics by graphite.rules, else graphite.resourceComponents
  agent     the host agent: samples /proc every agent.quantumSeconds (default 15) and answers
            its poller's signed dumps on agent.port (default 8650); agent.secret is required
  host add NAME HOST:PORT | host remove NAME | host list
            the hosts whose agents the poller (poller.enabled) dumps every poller.quantumSeconds
  subhealth status [GROUP] | enable GROUP [dry-run] | disable GROUP | set GROUP KEY=VALUE…
          | timeline GROUP [start=TIME] [stop=TIME] | findings GROUP CHECK_TIME
            sub-health detection: slow instances among their peers, waits judged against load;
            the running detector applies a change at its next check
  config    print the effective configuration (defaults ← --config FILE ← ORZO_* ← flags)
  help      print this text (also --help or -h after any command); --version prints the version

flags (every command): --config FILE, --data-dir DIR, --host HOST, --port PORT,
  --auth basic|noauth|remoteuser|verified, --protected-mode true|false, --workers N, --indexer URL,
  --incoming URL, --storage URL, --coordination local|URL, --sacks N
`;

/** The flags of each command beyond the shared ones; any other is refused. */
const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  upgrade: ['skip-archive-policies-creation', 'skip-index', 'skip-incoming', 'skip-storage'],
  serve: ['skip-archive-policies-creation'],
  api: [],
  metricd: [],
  'metricd-worker': ['worker-index', 'parent-pid'],
  ops: OPS_VALUE_FLAGS,
  config: [],
  statsd: [],
  graphite: [],
  agent: [],
  host: [],
  subhealth: [],
  help: [],
  backup: [],
  restore: [],
  user: ACCOUNT_VALUE_FLAGS,
  token: ['description', ...ACCOUNT_VALUE_FLAGS],
};

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--version') || argv[0] === 'version') {
    process.stdout.write(`orzo ${await version()}\n`);
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { config, positionals, extraFlags } = loadConfig({
    argv,
    valueFlags: [...OPS_VALUE_FLAGS, ...ACCOUNT_VALUE_FLAGS],
  });
  const [command = 'help'] = positionals;
  const allowed = COMMAND_FLAGS[command];
  const unknown = Object.keys(extraFlags).find((flag) => !(allowed ?? []).includes(flag));
  if (allowed !== undefined && unknown !== undefined) {
    process.stderr.write(`orzo: unknown flag --${unknown} for '${command}'\n\n${USAGE}`);
    return 2;
  }
  switch (command) {
    case 'upgrade': {
      const lines = await runUpgrade(config, {
        skipArchivePoliciesCreation: extraFlags['skip-archive-policies-creation'] === true,
        skipIndex: extraFlags['skip-index'] === true,
        skipIncoming: extraFlags['skip-incoming'] === true,
        skipStorage: extraFlags['skip-storage'] === true,
        adminPassword: process.env.ORZO_ADMIN_PASSWORD,
      });
      process.stdout.write(lines.map((line) => `${line}\n`).join(''));
      return 0;
    }
    case 'api':
      await runApi(config);
      return 0;
    case 'serve':
      await runServe(config, {
        skipArchivePoliciesCreation: extraFlags['skip-archive-policies-creation'] === true,
      });
      return 0;
    case 'metricd':
      if (positionals[1] === 'fail') return runMetricdFail(config, positionals[2]);
      await runMetricd(config);
      return 0;
    case 'metricd-worker':
      // NOTE: internal: the reporter starts its workers with this and sends them the config. A
      // drained worker exits at once, whatever handles its libraries left open.
      return process.exit(await runMetricdWorker());
    case 'ops':
      return runOps(config, { dump: positionals[1], flags: extraFlags });
    case 'statsd':
    case 'graphite':
      await runFeeder(command, config);
      return 0;
    case 'agent':
      await runAgent(config);
      return 0;
    case 'config':
      process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
      return 0;
    case 'backup':
    case 'restore': {
      const run = command === 'backup' ? runBackup : runRestore;
      const lines = await run(config, positionals[1]);
      process.stdout.write(lines.map((line) => `${line}\n`).join(''));
      return 0;
    }
    case 'user':
    case 'token':
    case 'host':
    case 'subhealth':
      try {
        const lines =
          command === 'host'
            ? await runHosts(config, positionals)
            : command === 'subhealth'
              ? await runSubhealth(config, positionals)
              : await runAccounts(config, { positionals, flags: extraFlags });
        process.stdout.write(lines.map((line) => `${line}\n`).join(''));
        return 0;
      } catch (error) {
        if (!(error instanceof AccountCommandError || error instanceof EngineError)) throw error;
        process.stderr.write(`orzo ${command}: ${error.message}\n`);
        return error instanceof AccountCommandError ? 2 : 1;
      }
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`orzo: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

/** The version of the package this command comes from. */
async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const path = packagePath('package.json');
  return (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;
}

/** Errors a user can act on, said in one line instead of a stack trace. */
function userFacingMessage(error: unknown): string | undefined {
  if (error instanceof EngineError) return error.message;
  const { code, address, port } = error as { code?: string; address?: string; port?: number };
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    const why: Readonly<Record<string, string>> = {
      EADDRINUSE: 'address already in use',
      EACCES: 'permission denied',
      EADDRNOTAVAIL: 'address not available',
    };
    return `cannot listen on ${address ?? '?'}:${port ?? '?'}: ${why[code] ?? code}`;
  }
  return undefined;
}

// NOTE: here, once every module of the command line is loaded, ioredis among them.
keepStringPrototypeFast();
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = userFacingMessage(error);
  if (message === undefined) throw error;
  process.stderr.write(`orzo: ${message}\n`);
  // NOTE: services opened before the failure (timers, metricd's workers) must not keep it alive.
  process.exit(2);
}
