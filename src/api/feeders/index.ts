/**
 * The engine's own listeners for the feeders people run: statsd (UDP) and Graphite's plaintext
 * protocol (TCP and UDP). They store through the incoming path of JSON measures.
 */
export { createFeederRegistry, serveFeederMetrics } from './feeder-registry.ts';
export { startGraphiteListener } from './graphite-listener.ts';
export type { FeederDeps, RunningFeeder } from './feeder-deps.ts';
export { startStatsdListener } from './statsd-listener.ts';
