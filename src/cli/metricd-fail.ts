/**
 * `orzo metricd fail [NAME]`: forces a failover of metricd's reporter under Redis coordination,
 * as `ceph mgr fail` does. The active reporter's lease ends at once and it may not take it back
 * for one grace, so a standby takes over at its next beacon.
 */
import type { EngineConfig } from '../config/index.ts';
import { failActiveReporter, readReporterMap } from '../coordination/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import { createRedisClient, quitRedisClient } from '../redis/redis-connection.ts';

/** Runs the command; resolves with the exit code (1 when nothing was failed). */
export async function runMetricdFail(
  config: EngineConfig,
  name: string | undefined,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const { coordination } = config.backends;
  if (coordination.kind !== 'redis') {
    throw new ConfigError('metricd fail needs Redis coordination (--coordination redis://…)', {
      path: 'coordinationUrl',
    });
  }
  const client = createRedisClient(coordination.url);
  try {
    const graceMs = config.metricd.reporterGraceSeconds * 1000;
    const result = await failActiveReporter(client, coordination.prefix, graceMs, name);
    switch (result.outcome) {
      case 'failed': {
        const { standbys } = await readReporterMap(client, coordination.prefix, graceMs);
        write(
          `failed reporter ${result.name}; ` +
            (standbys.length > 0
              ? `a standby (${standbys.map((s) => s.name).join(', ')}) takes over`
              : `no standby: it takes the lease back after ${config.metricd.reporterGraceSeconds} s`),
        );
        return 0;
      }
      case 'not-active':
        write(`reporter ${name ?? ''} is not the active one (${result.active} is)`);
        return 1;
      case 'none':
        write('no reporter is active');
        return 1;
    }
  } finally {
    await quitRedisClient(client);
  }
}
