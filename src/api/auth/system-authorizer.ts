/**
 * The authorizer of the engine's own listeners (statsd, Graphite): they are started by the
 * operator, trusted with whatever they write, and create resources as one configured creator.
 */
import type { Authorizer } from './auth.ts';

/** Everything allowed, as `creator`. */
export function systemAuthorizer(creator: string): Authorizer {
  return {
    currentUser: () => creator,
    enforce: () => undefined,
    allows: () => true,
    visibleMetrics: () => undefined,
    visibleResources: () => undefined,
  };
}
