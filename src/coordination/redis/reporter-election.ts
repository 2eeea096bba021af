/**
 * Which metricd reporter is active, in the manner of Ceph's mgr: every reporter beacons; the
 * active one holds a lease in Redis that each of its beacons renews; when it stops beaconing the
 * lease runs out after the grace and the next standby to beacon takes it, bumping the epoch.
 * `fail` ends the active one's lease at once and keeps it from taking the lease back for one
 * grace, so that a standby takes over.
 *
 * Keys (under the prefix):
 * - `reporter:active`   the active reporter's name, with the grace as expiry;
 * - `reporter:epoch`    incremented on every takeover: the fencing token of the active reporter;
 * - `reporter:beacons`  hash name → JSON of each reporter's last beacon (Redis server time);
 * - `reporter:failed`   hash name → Redis time (ms) until which that reporter may not take over.
 *
 * Times come from Redis (`TIME`), so hosts whose clocks disagree still agree on the lease.
 */
import type { Redis } from 'ioredis';

import { waitUntilConnected } from '../../redis/redis-connection.ts';

import { LUA_NOW_MS, reporterKeys, type ReporterKeys } from './reporter-keys.ts';

/** A reporter's role. */
export type ReporterRole = 'active' | 'standby';

/** One reporter as its last beacon described it. */
export interface ReporterInfo {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly role: ReporterRole;
  /** ISO time of its last beacon. */
  readonly lastBeacon: string;
  /** ISO time since which it is active (active reporters only). */
  readonly activeSince?: string;
}

/** The reporters: which one is active, which are standbys. */
export interface ReporterMap {
  /** Takeovers so far; the active reporter's fencing token. */
  readonly epoch: number;
  readonly active: ReporterInfo | null;
  readonly standbys: readonly ReporterInfo[];
}

/** Options of {@link ReporterElection}. */
export interface ReporterElectionOptions {
  readonly client: Redis;
  readonly prefix: string;
  /** Unique among reporters: `<host>.<pid>`. */
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly beaconMs: number;
  /** How long a lease lasts without a beacon. */
  readonly graceMs: number;
  /** The role changed (every reporter starts as standby). */
  readonly onChange?: (role: ReporterRole, epoch: number) => void;
  /** A beacon failed (Redis unreachable); the election keeps trying. */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

/**
 * KEYS: active, epoch, beacons, failed. ARGV: name, grace ms, beacon JSON.
 * Returns {role, epoch, ms left on the active lease (-2 when none)}.
 */
const BEACON_SCRIPT = `
${LUA_NOW_MS}
local holder = redis.call('GET', KEYS[1])
local role = 'standby'
local promoted = false
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  role = 'active'
elseif not holder then
  local barred = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
  if barred <= now then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    redis.call('INCR', KEYS[2])
    redis.call('HDEL', KEYS[4], ARGV[1])
    role = 'active'
    promoted = true
  end
end
local epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
local info = cjson.decode(ARGV[3])
info.role = role
info.lastBeacon = now
if role == 'active' then
  local before = redis.call('HGET', KEYS[3], ARGV[1])
  local since = now
  if before and not promoted then
    local old = cjson.decode(before)
    if old.role == 'active' and old.activeSince then since = old.activeSince end
  end
  info.activeSince = since
end
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode(info))
return {role, epoch, redis.call('PTTL', KEYS[1])}
`;

/** KEYS: active, beacons. ARGV: name. Steps down (when active) and forgets the beacon. */
const LEAVE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/**
 * KEYS: active, failed. ARGV: name wanted ('' for whoever is active), grace ms.
 * Returns {'failed', name} | {'not-active', holder} | {'none'}.
 */
const FAIL_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if not holder then return {'none'} end
if ARGV[1] ~= '' and ARGV[1] ~= holder then return {'not-active', holder} end
${LUA_NOW_MS}
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], holder, now + tonumber(ARGV[2]))
return {'failed', holder}
`;

/**
 * KEYS: active, epoch, beacons. ARGV: ms after which a silent reporter is dropped.
 * Returns {now, epoch, active name or '', beacon JSON…}.
 */
const MAP_SCRIPT = `
${LUA_NOW_MS}
local out = {now, tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('GET', KEYS[1]) or ''}
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local info = cjson.decode(all[i + 1])
  if now - info.lastBeacon > tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[3], all[i])
  else
    table.insert(out, all[i + 1])
  end
end
return out
`;

/** What `fail` did. */
export type FailResult =
  | { readonly outcome: 'failed'; readonly name: string }
  | { readonly outcome: 'not-active'; readonly active: string }
  | { readonly outcome: 'none' };

/** Beacons kept this many graces after a reporter went silent, then dropped from the map. */
const FORGET_AFTER_GRACES = 3;
/** Part of the grace an active reporter keeps as margin against clock drift and slow replies. */
const SAFETY_FRACTION = 0.2;
/** How soon after the active lease runs out a standby tries to take it. */
const TAKEOVER_SLACK_MS = 10;

/** One reporter's side of the election. */
export class ReporterElection {
  readonly #options: ReporterElectionOptions;
  readonly #keys: ReporterKeys;
  readonly #now: () => number;
  #role: ReporterRole = 'standby';
  #epoch = 0;
  /** Local time until which this reporter may act as active without a newer beacon. */
  #validUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #beaconing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ReporterElectionOptions) {
    this.#options = options;
    this.#keys = reporterKeys(options.prefix);
    this.#now = options.now ?? Date.now;
  }

  get role(): ReporterRole {
    return this.#role;
  }

  /** The epoch of the last beacon: while active, this reporter's fencing token. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Whether this reporter may act as the active one now: it is active by its last beacon, and
   * that beacon is recent enough that the lease cannot have run out in Redis meanwhile.
   */
  isActive(): boolean {
    return this.#role === 'active' && this.#now() < this.#validUntil;
  }

  /** Beacons once (so that the role is known), then every beacon period. */
  async start(): Promise<void> {
    await this.beacon();
  }

  /** One beacon; schedules the next. */
  async beacon(): Promise<void> {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#beaconing ??= this.#beacon().finally(() => {
      this.#beaconing = undefined;
    });
    await this.#beaconing;
  }

  /** Who is active and who is standby, as the beacons say. */
  async map(): Promise<ReporterMap> {
    return readReporterMap(this.#options.client, this.#options.prefix, this.#options.graceMs);
  }

  /** Stops beaconing; an active reporter gives its lease up, so that a standby takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#beaconing;
    this.#setRole('standby', this.#epoch);
    try {
      await this.#options.client.eval(
        LEAVE_SCRIPT,
        2,
        this.#keys.active,
        this.#keys.beacons,
        this.#options.name,
      );
    } catch (error) {
      // NOTE: unreachable Redis: the lease runs out by itself after the grace.
      this.#options.onError?.(error);
    }
  }

  async #beacon(): Promise<void> {
    const { client, name, host, pid, graceMs, beaconMs } = this.#options;
    const sentAt = this.#now();
    let next = beaconMs;
    try {
      await waitUntilConnected(client);
      const reply = (await client.eval(
        BEACON_SCRIPT,
        4,
        this.#keys.active,
        this.#keys.epoch,
        this.#keys.beacons,
        this.#keys.failed,
        name,
        String(Math.ceil(graceMs)),
        JSON.stringify({ name, host, pid }),
      )) as [string, number, number];
      const [role, epoch, leaseLeft] = reply;
      if (role === 'active') this.#validUntil = sentAt + graceMs * (1 - SAFETY_FRACTION);
      this.#setRole(role === 'active' ? 'active' : 'standby', epoch);
      // NOTE: a standby tries again right when the active lease runs out, not a beacon later.
      if (role !== 'active' && leaseLeft > 0)
        next = Math.min(beaconMs, leaseLeft + TAKEOVER_SLACK_MS);
    } catch (error) {
      this.#options.onError?.(error);
      if (!this.isActive()) this.#setRole('standby', this.#epoch);
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.beacon(), next);
    this.#timer.unref();
  }

  #setRole(role: ReporterRole, epoch: number): void {
    const changed = role !== this.#role || (role === 'active' && epoch !== this.#epoch);
    this.#role = role;
    this.#epoch = epoch;
    if (changed) this.#options.onChange?.(role, epoch);
  }
}

/** Reads the reporter map (for `/v1/status` and `orzo metricd fail`). */
export async function readReporterMap(
  client: Redis,
  prefix: string,
  graceMs: number,
): Promise<ReporterMap> {
  const keys = reporterKeys(prefix);
  await waitUntilConnected(client);
  const reply = (await client.eval(
    MAP_SCRIPT,
    3,
    keys.active,
    keys.epoch,
    keys.beacons,
    String(Math.ceil(graceMs * FORGET_AFTER_GRACES)),
  )) as [number, number, string, ...string[]];
  const [now, epoch, activeName, ...beacons] = reply;
  let active: ReporterInfo | null = null;
  const standbys: ReporterInfo[] = [];
  for (const raw of beacons) {
    const beacon = JSON.parse(raw) as BeaconJson;
    const info = toReporterInfo(beacon);
    if (beacon.name === activeName) active = { ...info, role: 'active' };
    // NOTE: a reporter silent for longer than the grace is neither active nor a usable standby.
    else if (now - beacon.lastBeacon <= graceMs) standbys.push({ ...info, role: 'standby' });
  }
  standbys.sort((a, b) => a.name.localeCompare(b.name));
  return { epoch, active, standbys };
}

/**
 * Forces a failover (`orzo metricd fail [NAME]`): ends the active reporter's lease and bars it
 * from taking the lease back for one grace. With `name`, only if that reporter is the active one.
 */
export async function failActiveReporter(
  client: Redis,
  prefix: string,
  graceMs: number,
  name?: string,
): Promise<FailResult> {
  const keys = reporterKeys(prefix);
  await waitUntilConnected(client);
  const reply = (await client.eval(
    FAIL_SCRIPT,
    2,
    keys.active,
    keys.failed,
    name ?? '',
    String(Math.ceil(graceMs)),
  )) as [string, string?];
  const [outcome, who = ''] = reply;
  if (outcome === 'failed') return { outcome, name: who };
  if (outcome === 'not-active') return { outcome, active: who };
  return { outcome: 'none' };
}

/** A beacon as the scripts store it (times in Redis milliseconds). */
interface BeaconJson {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly role: ReporterRole;
  readonly lastBeacon: number;
  readonly activeSince?: number;
}

function toReporterInfo(beacon: BeaconJson): ReporterInfo {
  return {
    name: beacon.name,
    host: beacon.host,
    pid: beacon.pid,
    role: beacon.role,
    lastBeacon: new Date(beacon.lastBeacon).toISOString(),
    ...(beacon.activeSince === undefined
      ? {}
      : { activeSince: new Date(beacon.activeSince).toISOString() }),
  };
}
