/**
 * What the API is built from. Everything a route or service needs reaches it through one object,
 * `app.engine` (see `engine-plugin.ts`); nothing is a module-level singleton, so several apps with
 * different backends can live in one process (as tests do).
 */
import type { Registry } from 'prom-client';

import { resolveConfig, type ApiConfig, type ArchivePolicyConfig } from '../config/index.ts';
import type { HostNowBoard, OpsCommand, StatusBoard } from '../coordination/index.ts';
import type { Indexer } from '../indexer/index.ts';
import type { Incoming } from '../ingest/index.ts';
import { OpTracker } from '../optracker/index.ts';
import type { Storage } from '../storage/index.ts';
import { ArchivePolicyCache, type CachedArchivePolicies } from './services/archive-policy-cache.ts';
import type { ApiLoggerOptions } from './http/logger-options.ts';
import { trustProxyFunction, type TrustProxy } from './http/public-url.ts';
import { MeasuresParsePool } from './ingest/measures-parse-pool.ts';

/** The configuration slices the API reads. */
export interface ApiDepsConfig {
  readonly api: ApiConfig;
  readonly archivePolicy: ArchivePolicyConfig;
}

/**
 * Processes a metric's pending measures now, for a `refresh=true` read; resolves `false` when the
 * metric's lock could not be taken within `timeoutMs` (the read then answers 503). A metric with
 * nothing pending should resolve `true` without waiting for its lock, as Gnocchi only locks when
 * there is something to process.
 */
export type MetricRefresher = (metricId: string, timeoutMs: number) => Promise<boolean>;

/**
 * Asks every metricd on the data folder for one op dump of itself and its workers; answers by
 * process name (`<host>.<pid>.reporter`, `<host>.<pid>.worker-<i>`), as `gatherMetricdOps` does.
 */
export type MetricdOpsGatherer = (command: OpsCommand) => Promise<Record<string, unknown>>;

/** The dependencies of {@link buildApp}; the caller creates and closes them. */
export interface ApiDeps {
  /** Archive policies, rules and metrics. */
  readonly indexer: Indexer;
  /** Where posted measures wait for metricd. */
  readonly incoming: Incoming;
  /** Where the aggregates metricd computed are read from. */
  readonly storage: Storage;
  /** Processing on demand for `refresh=true`; without it such reads just read what is stored. */
  readonly refresh?: MetricRefresher;
  /** Where metricd publishes its status, for `/v1/status`; without it no processor is shown. */
  readonly statusBoard?: StatusBoard;
  /** Where the host poller keeps each host's newest sample, for `/v1/host/{name}/now`. */
  readonly hostNowBoard?: HostNowBoard;
  /**
   * This process's op tracker, which every request is an op of; the caller starts and closes it.
   * Without one, nothing is tracked and the API's op dumps say `enabled: false`.
   */
  readonly tracker?: OpTracker;
  /** metricd's op dumps, for `/v1/ops/…`; without it that part of the answer is empty. */
  readonly metricdOps?: MetricdOpsGatherer;
  /** Figures of other parts of this process (the listeners), appended to `/metrics`. */
  readonly metricsRegistry?: Registry;
  readonly config: ApiDepsConfig;
  /** `true` for fastify's default logger, pino options (e.g. `{ level, stream }`), or off. */
  readonly logger?: boolean | ApiLoggerOptions;
  /** The clock, also of the archive policy cache. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
}

/** The dependencies as routes and services see them through `app.engine`. */
export interface ApiEngine {
  readonly indexer: Indexer;
  /**
   * Archive policies for reading measures, cached for a few seconds (`archive-policy-cache.ts`);
   * policies are updated and deleted through it, so that this process sees its own changes.
   */
  readonly archivePolicies: CachedArchivePolicies;
  readonly incoming: Incoming;
  readonly storage: Storage;
  readonly refresh?: MetricRefresher;
  readonly statusBoard?: StatusBoard;
  readonly hostNowBoard?: HostNowBoard;
  readonly tracker: OpTracker;
  readonly metricdOps?: MetricdOpsGatherer;
  readonly metricsRegistry?: Registry;
  readonly config: ApiDepsConfig;
  readonly now: () => Date;
  /** Whether a peer is one of `config.api.trustedProxies`. */
  readonly trustProxy: TrustProxy;
  /** Parses measures bodies, large ones off the event loop; closed with the app. */
  readonly measuresParser: MeasuresParsePool;
}

/** Resolves defaults and derived values of the dependencies; throws `ConfigError` on bad input. */
export function createApiEngine(deps: ApiDeps): ApiEngine {
  const now = deps.now ?? (() => new Date());
  return Object.freeze({
    indexer: deps.indexer,
    archivePolicies: new ArchivePolicyCache(deps.indexer, { now: () => now().getTime() }),
    incoming: deps.incoming,
    storage: deps.storage,
    ...(deps.refresh === undefined ? {} : { refresh: deps.refresh }),
    ...(deps.statusBoard === undefined ? {} : { statusBoard: deps.statusBoard }),
    ...(deps.hostNowBoard === undefined ? {} : { hostNowBoard: deps.hostNowBoard }),
    tracker: deps.tracker ?? untracked(),
    ...(deps.metricdOps === undefined ? {} : { metricdOps: deps.metricdOps }),
    ...(deps.metricsRegistry === undefined ? {} : { metricsRegistry: deps.metricsRegistry }),
    config: deps.config,
    now,
    trustProxy: trustProxyFunction(deps.config.api.trustedProxies),
    measuresParser: new MeasuresParsePool({
      workers: deps.config.api.parseWorkers,
      heapMb: deps.config.api.parseWorkerHeapMb,
      timeoutMs: deps.config.api.parseTimeoutSeconds * 1000,
    }),
  });
}

/** A tracker that tracks nothing, for an API built without one. */
function untracked(): OpTracker {
  const { ops } = resolveConfig([{ ops: { enabled: false } }]);
  return new OpTracker({ config: ops, logger: { warn: () => undefined } });
}
