/**
 * Where every metricd reports itself and its workers for the active reporter to gather (the
 * MMgrReport of Ceph's daemons): one hash field per metricd, stamped with Redis time, so the
 * active reporter serves the figures of every host's workers, its standbys' included.
 */
import type { Redis } from 'ioredis';

import { waitUntilConnected } from '../../redis/redis-connection.ts';

import type { WorkerStatus } from '../metricd-status.ts';
import { LUA_NOW_MS, reporterKeys, type ReporterKeys } from './reporter-keys.ts';

/** What one metricd reports. */
export interface MetricdReport {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  /** Blocks it can run at once: worker processes × jobs per worker. */
  readonly slots: number;
  readonly workers: readonly WorkerStatus[];
}

/** A report as read back. */
export interface ReceivedReport extends MetricdReport {
  /** ISO (Redis) time it was written. */
  readonly reportedAt: string;
}

/**
 * KEYS: reports. ARGV: name, JSON. Stores `<Redis time ms> <JSON>`; the JSON is kept as sent
 * because Lua's cjson would turn empty arrays into objects.
 */
const REPORT_SCRIPT = `
${LUA_NOW_MS}
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now) .. ' ' .. ARGV[2])
return 1
`;

/** KEYS: reports. ARGV: max age ms. Returns the live reports; drops older ones. */
const READ_SCRIPT = `
${LUA_NOW_MS}
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local at = tonumber(string.match(all[i + 1], '^(%d+) '))
  if now - at > tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], all[i])
  else
    table.insert(out, all[i + 1])
  end
end
return out
`;

/** Every metricd's reports. */
export class ReportBoard {
  readonly #client: Redis;
  readonly #keys: ReporterKeys;

  constructor(client: Redis, prefix: string) {
    this.#client = client;
    this.#keys = reporterKeys(prefix);
  }

  /** Replaces this metricd's report. */
  async report(report: MetricdReport): Promise<void> {
    await waitUntilConnected(this.#client);
    await this.#client.eval(
      REPORT_SCRIPT,
      1,
      this.#keys.reports,
      report.name,
      JSON.stringify(report),
    );
  }

  /** Reports newer than `maxAgeMs`; older ones (metricd that went away) are dropped. */
  async read(maxAgeMs: number): Promise<ReceivedReport[]> {
    await waitUntilConnected(this.#client);
    const raw = (await this.#client.eval(
      READ_SCRIPT,
      1,
      this.#keys.reports,
      String(Math.ceil(maxAgeMs)),
    )) as string[];
    return raw
      .map((stamped) => {
        const space = stamped.indexOf(' ');
        const report = JSON.parse(stamped.slice(space + 1)) as MetricdReport;
        return { ...report, reportedAt: new Date(Number(stamped.slice(0, space))).toISOString() };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes this metricd's report (a clean shutdown). */
  async remove(name: string): Promise<void> {
    await this.#client.hdel(this.#keys.reports, name);
  }
}
