/**
 * The `orzo` command line: the composition root that reads the configuration and runs a command.
 */
import { loadConfig, redactConfig } from '../config.ts';
import { EngineError } from '../errors/engine-error.ts';

const USAGE = `usage: orzo <command> [flags]

commands:
  config    print the effective configuration (defaults ← --config FILE ← ORZO_* ← flags)
  help      print this text

flags (every command): --config FILE, --data-dir DIR, --host HOST, --port PORT,
  --auth basic|noauth, --workers N, --indexer URL, --incoming URL, --storage URL,
  --coordination local|URL, --sacks N
`;

function main(argv: readonly string[]): number {
  const { config, positionals } = loadConfig({ argv });
  const [command = 'help'] = positionals;
  switch (command) {
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
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof EngineError)) throw error;
  process.stderr.write(`orzo: ${error.message}\n`);
  process.exitCode = 2;
}
