/**
 * The `orzo` command line: the composition root that reads the configuration and runs a command.
 */
import { loadConfig, redactConfig } from '../config/index.ts';
import { EngineError } from '../errors/engine-error.ts';
import { runApi } from './api.ts';
import { runMetricd, runMetricdWorker } from './metricd.ts';
import { runMetricdFail } from './metricd-fail.ts';
import { OPS_VALUE_FLAGS, runOps } from './ops.ts';
import { runServe } from './serve.ts';
import { runUpgrade } from './upgrade.ts';

const USAGE = `usage: orzo <command> [flags]

commands:
  serve     everything on one machine: upgrade, then the API and metricd with its workers
  upgrade   create or migrate the indexer schema, the incoming sacks and the storage layout;
            creates the default archive policies on an empty index
            (--skip-archive-policies-creation not to; --skip-index, --skip-incoming,
            --skip-storage to leave one part alone; --sacks N)
  api       run the HTTP API (--host, --port, --auth basic|noauth|remoteuser)
  metricd   run the reporter and N worker processes that aggregate measures (--workers N);
            with --coordination redis://…, reporters of every metricd elect an active one
  metricd fail [NAME]
            force a failover of the active reporter (Redis coordination): a standby takes over
  ops <in-flight|blocked|historic|historic-by-duration|historic-slow|slow|by-duration>
            print an op dump of a running API and of every metricd on its data folder
            (--url URL, default http://<host>:<port>; --user NAME, default admin;
            --kind KIND, --description TEXT to filter); exits 1 on an error answer,
            2 when the API does not answer
  config    print the effective configuration (defaults ← --config FILE ← ORZO_* ← flags)
  help      print this text

flags (every command): --config FILE, --data-dir DIR, --host HOST, --port PORT,
  --auth basic|noauth|remoteuser, --workers N, --indexer URL, --incoming URL, --storage URL,
  --coordination local|URL, --sacks N
`;

async function main(argv: readonly string[]): Promise<number> {
  const { config, positionals, extraFlags } = loadConfig({ argv, valueFlags: OPS_VALUE_FLAGS });
  const [command = 'help'] = positionals;
  switch (command) {
    case 'upgrade': {
      const lines = await runUpgrade(config, {
        skipArchivePoliciesCreation: extraFlags['skip-archive-policies-creation'] === true,
        skipIndex: extraFlags['skip-index'] === true,
        skipIncoming: extraFlags['skip-incoming'] === true,
        skipStorage: extraFlags['skip-storage'] === true,
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
    case 'config':
      process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
      return 0;
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`orzo: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof EngineError)) throw error;
  process.stderr.write(`orzo: ${error.message}\n`);
  process.exitCode = 2;
}
