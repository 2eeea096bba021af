/** The Redis keys of metricd's coordination, under a prefix (layout in `reporter-election.ts`). */

/** Every coordination key of one prefix. */
export interface ReporterKeys {
  readonly active: string;
  readonly epoch: string;
  readonly beacons: string;
  readonly failed: string;
  /** Hash: metricd name → JSON report of that metricd and its workers. */
  readonly reports: string;
  /** The status document the active reporter publishes. */
  readonly status: string;
}

/** The keys under `prefix`. */
export function reporterKeys(prefix: string): ReporterKeys {
  return {
    active: `${prefix}reporter:active`,
    epoch: `${prefix}reporter:epoch`,
    beacons: `${prefix}reporter:beacons`,
    failed: `${prefix}reporter:failed`,
    reports: `${prefix}metricd:reports`,
    status: `${prefix}metricd:status`,
  };
}

/** Lua lines that set `now` to Redis' own time in milliseconds, the clock every lease is on. */
export const LUA_NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
