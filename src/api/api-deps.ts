/**
 * What the API is built from. Everything a route or service needs reaches it through one object,
 * `app.engine` (see `engine-plugin.ts`); nothing is a module-level singleton, so several apps with
 * different backends can live in one process (as tests do).
 */
import type { ApiConfig, ArchivePolicyConfig } from '../config.ts';
import type { Indexer } from '../indexer/index.ts';
import type { Incoming } from '../ingest/index.ts';
import type { ApiLoggerOptions } from './logger-options.ts';
import { trustProxyFunction, type TrustProxy } from './public-url.ts';

/** The configuration slices the API reads. */
export interface ApiDepsConfig {
  readonly api: ApiConfig;
  readonly archivePolicy: ArchivePolicyConfig;
}

/** The dependencies of {@link buildApp}; the caller creates and closes them. */
export interface ApiDeps {
  /** Archive policies, rules and metrics. */
  readonly indexer: Indexer;
  /** Where posted measures wait for metricd. */
  readonly incoming: Incoming;
  readonly config: ApiDepsConfig;
  /** `true` for fastify's default logger, pino options (e.g. `{ level, stream }`), or off. */
  readonly logger?: boolean | ApiLoggerOptions;
  /** The clock. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
}

/** The dependencies as routes and services see them through `app.engine`. */
export interface ApiEngine {
  readonly indexer: Indexer;
  readonly incoming: Incoming;
  readonly config: ApiDepsConfig;
  readonly now: () => Date;
  /** Whether a peer is one of `config.api.trustedProxies`. */
  readonly trustProxy: TrustProxy;
}

/** Resolves defaults and derived values of the dependencies; throws `ConfigError` on bad input. */
export function createApiEngine(deps: ApiDeps): ApiEngine {
  return Object.freeze({
    indexer: deps.indexer,
    incoming: deps.incoming,
    config: deps.config,
    now: deps.now ?? (() => new Date()),
    trustProxy: trustProxyFunction(deps.config.api.trustedProxies),
  });
}
