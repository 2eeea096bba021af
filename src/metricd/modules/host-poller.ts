/**
 * The poller, gpperfmon's gpmmon as a module of the active reporter (so exactly one runs in a
 * deployment, and a standby that takes over starts it): every quantum it reads the host list
 * from the indexer, dumps each host's agent over one kept connection, writes the samples as
 * measures of the host's metrics through the incoming path, and only then acknowledges them, so
 * that a poller dying between the two leaves them with the agent to be sent again. metricd's
 * processing is the harvest; the `host` archive policy is the retention.
 *
 * A figure becomes the metric `<name>` or `<name>@k=v,…` (labels sorted by key, as the InfluxDB
 * mapping names them), e.g. `node_cpu_seconds_total@mode=user`; `agent_up` is 1 for a quantum
 * the agent answered and 0 for one it did not.
 */
import { randomUUID } from 'node:crypto';

import { AgentConnection } from '../../agent/agent-client.ts';
import type { QueuedSample } from '../../agent/sample-queue.ts';
import { mapLimit } from '../../async/map-limit.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { Incoming, MeasureBatch } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { MetricAttachment } from '../../resource/index.ts';
import type { ModuleStatus, ReporterModule } from '../reporter/reporter-module.ts';
import { CounterRates, isCounter } from './counter-rates.ts';
import {
  ensureHostSchema,
  HOST_ARCHIVE_POLICY,
  HOST_RESOURCE_TYPE,
  listHosts,
  parseAgentAddress,
  type KnownHost,
} from './host-registry.ts';

/** What the poller is made with. */
export interface HostPollerOptions {
  readonly indexer: Indexer;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  readonly secret: string;
  readonly quantumSeconds: number;
  /** How long an agent has to connect and to answer one request. */
  readonly timeoutMs: number;
  readonly defaultAggregationMethods: readonly string[];
}

/** Agents dumped at once. */
const POLL_CONCURRENCY = 64;

/** Samples asked for in one dump; a larger backlog is caught up over the next quanta. */
const DUMP_MAX = 240;

interface HostState {
  address: string;
  connection: AgentConnection | undefined;
  up: boolean;
  lastContact: number | undefined;
  samplesStored: number;
  agentDropped: number;
  lastError: string | undefined;
}

/** The metric name of a figure. */
export function figureMetricName(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}@${keys.map((key) => `${key}=${String(labels[key])}`).join(',')}`.replaceAll(
    '/',
    '_',
  );
}

/**
 * Samples as series by metric name, timestamps in microseconds; with `rates`, each counter also
 * gets its per-second rate as `<name>:rate` (Prometheus' recording-rule spelling), labels after.
 */
export function samplesToSeries(
  samples: readonly QueuedSample[],
  rates?: { readonly host: string; readonly counters: CounterRates },
): Map<string, { timestamps: number[]; values: number[] }> {
  const series = new Map<string, { timestamps: number[]; values: number[] }>();
  const add = (metric: string, time: number, value: number): void => {
    let found = series.get(metric);
    if (found === undefined) {
      found = { timestamps: [], values: [] };
      series.set(metric, found);
    }
    found.timestamps.push(time * 1000);
    found.values.push(value);
  };
  for (const sample of samples) {
    for (const { name, labels, value } of sample.figures) {
      const metric = figureMetricName(name, labels);
      add(metric, sample.time, value);
      if (rates === undefined || !isCounter(name)) continue;
      const rate = rates.counters.rate(rates.host, metric, { time: sample.time, value });
      if (rate !== undefined) add(figureMetricName(`${name}:rate`, labels), sample.time, rate);
    }
  }
  return series;
}

/** The module. */
export class HostPoller implements ReporterModule {
  readonly name = 'host_poller';
  readonly intervalMs: number;
  readonly #options: HostPollerOptions;
  readonly #hosts = new Map<string, HostState>();
  readonly #rates = new CounterRates();

  constructor(options: HostPollerOptions) {
    this.#options = options;
    this.intervalMs = options.quantumSeconds * 1000;
  }

  async start(): Promise<void> {
    await ensureHostSchema(this.#options.indexer, this.#options.defaultAggregationMethods);
  }

  async tick(now: number): Promise<void> {
    const hosts = await listHosts(this.#options.indexer, now * 1000);
    const names = new Set(hosts.map((host) => host.name));
    for (const [name, state] of this.#hosts) {
      if (names.has(name)) continue;
      state.connection?.close();
      this.#hosts.delete(name);
      this.#rates.forget(name);
    }
    await mapLimit(hosts, POLL_CONCURRENCY, (host) => this.#poll(host, now));
  }

  async stop(): Promise<void> {
    for (const state of this.#hosts.values()) {
      state.connection?.close();
      state.connection = undefined;
    }
    return Promise.resolve();
  }

  status(): ModuleStatus {
    return {
      hosts: Object.fromEntries(
        [...this.#hosts].map(([name, state]) => [
          name,
          {
            address: state.address,
            up: state.up,
            last_contact:
              state.lastContact === undefined ? null : new Date(state.lastContact).toISOString(),
            samples_stored: state.samplesStored,
            agent_dropped: state.agentDropped,
            ...(state.lastError === undefined ? {} : { last_error: state.lastError }),
          },
        ]),
      ),
    };
  }

  async #poll(host: KnownHost, now: number): Promise<void> {
    let state = this.#hosts.get(host.name);
    if (state?.address !== host.address) {
      state?.connection?.close();
      state = {
        address: host.address,
        connection: undefined,
        up: false,
        lastContact: undefined,
        samplesStored: state?.samplesStored ?? 0,
        agentDropped: 0,
        lastError: undefined,
      };
      this.#hosts.set(host.name, state);
    }
    let samples: QueuedSample[] = [];
    try {
      state.connection ??= await this.#connect(host.address);
      const answer = await state.connection.dump({
        max: DUMP_MAX,
        quantumSeconds: this.#options.quantumSeconds,
      });
      samples = answer.samples;
      state.agentDropped = answer.dropped;
      state.up = true;
      state.lastContact = now;
      state.lastError = undefined;
    } catch (error) {
      state.connection?.close();
      state.connection = undefined;
      state.up = false;
      state.lastError = (error as Error).message;
    }
    const series = samplesToSeries(samples, { host: host.name, counters: this.#rates });
    series.set('agent_up', { timestamps: [now * 1000], values: [state.up ? 1 : 0] });
    try {
      await this.#store(host, series);
      this.#rates.commit(host.name);
      const last = samples.at(-1);
      if (last !== undefined && state.connection !== undefined) {
        await state.connection.acknowledge(last.seq);
      }
      state.samplesStored += samples.length;
    } catch (error) {
      // NOTE: unacknowledged, the samples stay with the agent and come again next quantum.
      this.#rates.discard(host.name);
      state.connection?.close();
      state.connection = undefined;
      state.lastError = (error as Error).message;
      this.#options.logger.error({ err: error, host: host.name }, 'host samples not stored');
    }
  }

  async #connect(address: string): Promise<AgentConnection> {
    const target = parseAgentAddress(address);
    if (target === undefined) throw new Error(`address ${address} is not host:port`);
    return AgentConnection.open(
      target.host,
      target.port,
      this.#options.secret,
      this.#options.timeoutMs,
    );
  }

  /** Attaches the metrics a host lacks, then enqueues its measures. */
  async #store(
    host: KnownHost,
    series: ReadonlyMap<string, { timestamps: number[]; values: number[] }>,
  ): Promise<void> {
    const { indexer, incoming } = this.#options;
    let metrics = host.metrics;
    const missing = [...series.keys()].filter((name) => metrics[name] === undefined);
    if (missing.length > 0) {
      const attachments: Record<string, MetricAttachment> = {};
      for (const name of missing) {
        attachments[name] = {
          kind: 'new',
          id: randomUUID(),
          archivePolicyName: HOST_ARCHIVE_POLICY,
          unit: null,
        };
      }
      metrics = (await indexer.attachMetrics(HOST_RESOURCE_TYPE, host.resourceId, attachments))
        .metrics;
    }
    const batches = new Map<string, MeasureBatch>();
    for (const [name, { timestamps, values }] of series) {
      const id = metrics[name];
      if (id === undefined) continue;
      batches.set(id, {
        timestamps: Float64Array.from(timestamps),
        values: Float64Array.from(values),
      });
    }
    await incoming.enqueueBatches(batches);
  }
}
