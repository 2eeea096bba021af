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
import { AgentConnection, type DumpAnswer } from '../../agent/agent-client.ts';
import type { QueuedSample } from '../../agent/sample-queue.ts';
import { Limiter } from '../../async/limiter.ts';
import type { HostNowBoard } from '../../coordination/index.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { ModuleStatus, ReporterModule } from '../reporter/reporter-module.ts';
import { CounterRates, isCounter } from './counter-rates.ts';
import { attachMissingMetrics, enqueueNamedSeries } from './resource-series.ts';
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
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly secret: string;
  /** Seconds between two dumps of a host whose resource sets no `quantum`. */
  readonly quantumSeconds: number;
  /** How long an agent has to connect and to answer one request. */
  readonly timeoutMs: number;
  /**
   * An agent silent this long is declared dead (one warning); until then, and after, a failed
   * agent is tried again after one quantum, doubling up to this.
   */
  readonly deadAfterMs: number;
  /** The archive policy of the host metrics it makes. @defaultValue `host` */
  readonly archivePolicyName?: string;
  /** Where the newest sample of each host is kept for the API's now view. */
  readonly nowBoard?: HostNowBoard;
  readonly defaultAggregationMethods: readonly string[];
}

/** Agents dumped at once. */
const POLL_CONCURRENCY = 64;

/** Samples asked for in one dump; a larger backlog is caught up over the next quanta. */
const DUMP_MAX = 240;

/** The longest time between two looks at what is due. */
const MAX_TICK_MS = 1000;

/** How often the host list is read again. */
const LIST_EVERY_MS = 5000;

interface HostState {
  readonly name: string;
  readonly resourceId: string;
  /** The host's metrics by name, as listed and as attached since. */
  metrics: Readonly<Record<string, string>>;
  address: string;
  quantumSeconds: number;
  connection: AgentConnection | undefined;
  up: boolean;
  dead: boolean;
  /** Failed attempts in a row; the back-off doubles with each. */
  failures: number;
  firstSeen: number;
  lastContact: number | undefined;
  sampledAt: number | undefined;
  nextDue: number;
  nextAttempt: number;
  samplesStored: number;
  /**
   * The newest sample stored, by agent run: a dump whose acknowledgement was lost sends it and
   * those before it again, and they are acknowledged without being stored twice.
   */
  storedThrough: { readonly instance: string; readonly seq: number } | undefined;
  agentDropped: number;
  lastError: string | undefined;
  figures: Record<string, number>;
  polling: Promise<void> | undefined;
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
  readonly #limiter = new Limiter(POLL_CONCURRENCY);
  #listedAt: number | undefined;

  constructor(options: HostPollerOptions) {
    this.#options = options;
    this.intervalMs = Math.min(MAX_TICK_MS, options.quantumSeconds * 1000);
  }

  async start(): Promise<void> {
    await ensureHostSchema(this.#options.indexer, this.#options.defaultAggregationMethods);
  }

  /**
   * Reads the host list every {@link LIST_EVERY_MS} (so that hosts added, removed, moved or
   * given another quantum apply within seconds, while 500 hosts with their metrics, a tenth of a
   * second to read, are not read every second) and starts the dumps that are due; it does not
   * wait for them, so that one slow agent delays no other. {@link idle} waits.
   */
  async tick(now: number): Promise<void> {
    if (this.#listedAt === undefined || now - this.#listedAt >= LIST_EVERY_MS) {
      await this.#readHostList(now);
      this.#listedAt = now;
    }
    for (const state of this.#hosts.values()) {
      if (state.polling !== undefined || state.nextDue > now) continue;
      state.nextDue = now + state.quantumSeconds * 1000;
      state.polling = this.#limiter
        .run(() => this.#poll(state, now))
        .finally(() => {
          state.polling = undefined;
        });
    }
  }

  async #readHostList(now: number): Promise<void> {
    const hosts = await listHosts(this.#options.indexer, now * 1000);
    const names = new Set(hosts.map((host) => host.name));
    for (const [name, state] of this.#hosts) {
      if (names.has(name)) continue;
      this.#hosts.delete(name);
      this.#rates.forget(name);
      void state.polling?.finally(() => state.connection?.close());
      state.connection?.close();
      await this.#options.nowBoard?.remove(state.resourceId).catch((error: unknown) => {
        this.#options.logger.warn({ err: error, host: name }, 'host now view not removed');
      });
    }
    for (const host of hosts) this.#update(host, now);
  }

  /** Resolves once the dumps in progress are over. */
  async idle(): Promise<void> {
    await Promise.all([...this.#hosts.values()].flatMap((state) => state.polling ?? []));
  }

  async stop(): Promise<void> {
    await this.idle();
    for (const state of this.#hosts.values()) {
      state.connection?.close();
      state.connection = undefined;
    }
  }

  status(): ModuleStatus {
    return {
      hosts: Object.fromEntries(
        [...this.#hosts].map(([name, state]) => [
          name,
          {
            address: state.address,
            state: state.up ? 'up' : state.dead ? 'dead' : 'down',
            up: state.up,
            last_contact: isoOrNull(state.lastContact),
            quantum_seconds: state.quantumSeconds,
            samples_stored: state.samplesStored,
            agent_dropped: state.agentDropped,
            ...(state.failures === 0
              ? {}
              : { failures: state.failures, next_attempt: isoOrNull(state.nextAttempt) }),
            ...(state.lastError === undefined ? {} : { last_error: state.lastError }),
          },
        ]),
      ),
    };
  }

  /** Makes the state of a listed host, or brings it up to date with its resource. */
  #update(host: KnownHost, now: number): void {
    const quantumSeconds = host.quantumSeconds ?? this.#options.quantumSeconds;
    let state = this.#hosts.get(host.name);
    if (state === undefined) {
      state = {
        name: host.name,
        resourceId: host.resourceId,
        metrics: host.metrics,
        address: host.address,
        quantumSeconds,
        connection: undefined,
        up: false,
        dead: false,
        failures: 0,
        firstSeen: now,
        lastContact: undefined,
        sampledAt: undefined,
        nextDue: now,
        nextAttempt: now,
        samplesStored: 0,
        storedThrough: undefined,
        agentDropped: 0,
        lastError: undefined,
        figures: {},
        polling: undefined,
      };
      this.#hosts.set(host.name, state);
    }
    if (state.address !== host.address) {
      // NOTE: a moved agent is a new one: connect at once, without the old one's back-off.
      state.address = host.address;
      state.connection?.close();
      state.connection = undefined;
      state.failures = 0;
      state.nextAttempt = now;
      state.nextDue = Math.min(state.nextDue, now);
    }
    if (state.quantumSeconds !== quantumSeconds) {
      // NOTE: the next dump comes one new quantum after the last, as if it had always been so.
      state.nextDue += (quantumSeconds - state.quantumSeconds) * 1000;
      state.quantumSeconds = quantumSeconds;
    }
    // NOTE: the indexer's metrics, so that one an operator deleted is made again.
    state.metrics = host.metrics;
  }

  async #poll(state: HostState, now: number): Promise<void> {
    const dump = now >= state.nextAttempt ? await this.#dump(state, now) : undefined;
    const through = dump?.samples.at(-1);
    const stored = state.storedThrough;
    const samples = (dump?.samples ?? []).filter(
      (sample) =>
        stored === undefined || stored.instance !== dump?.instance || sample.seq > stored.seq,
    );
    const series = samplesToSeries(samples, { host: state.name, counters: this.#rates });
    series.set('agent_up', { timestamps: [now * 1000], values: [state.up ? 1 : 0] });
    try {
      await this.#store(state, series);
      this.#rates.commit(state.name);
    } catch (error) {
      // NOTE: unacknowledged, the samples stay with the agent and come again next quantum.
      this.#rates.discard(state.name);
      state.connection?.close();
      state.connection = undefined;
      state.lastError = (error as Error).message;
      this.#options.logger.error({ err: error, host: state.name }, 'host samples not stored');
      await this.#writeNow(state, now);
      return;
    }
    for (const [metric, { values }] of series) state.figures[metric] = values.at(-1) ?? NaN;
    if (dump !== undefined && through !== undefined) {
      state.storedThrough = { instance: dump.instance, seq: through.seq };
      state.samplesStored += samples.length;
      state.sampledAt = through.time;
      await this.#acknowledge(state, through.seq);
    }
    await this.#writeNow(state, now);
  }

  /** Tells the agent what is stored; a lost acknowledgement only means those come again. */
  async #acknowledge(state: HostState, seq: number): Promise<void> {
    try {
      await state.connection?.acknowledge(seq);
    } catch (error) {
      state.connection?.close();
      state.connection = undefined;
      state.lastError = `acknowledgement lost: ${(error as Error).message}`;
      this.#options.logger.warn(
        { err: error, host: state.name, seq },
        'acknowledgement lost; the agent sends those samples again, and they are not stored twice',
      );
    }
  }

  /** The agent's unacknowledged samples; undefined when it cannot be reached (then backs off). */
  async #dump(state: HostState, now: number): Promise<DumpAnswer | undefined> {
    try {
      state.connection ??= await this.#connect(state.address);
      const answer = await state.connection.dump({
        max: DUMP_MAX,
        quantumSeconds: state.quantumSeconds,
      });
      if (state.dead) this.#options.logger.info({ host: state.name }, 'agent is back');
      Object.assign(state, {
        agentDropped: answer.dropped,
        up: true,
        dead: false,
        failures: 0,
        lastContact: now,
        lastError: undefined,
      });
      return answer;
    } catch (error) {
      state.connection?.close();
      state.connection = undefined;
      state.up = false;
      state.failures++;
      state.lastError = (error as Error).message;
      const { deadAfterMs } = this.#options;
      const backOff = state.quantumSeconds * 1000 * 2 ** Math.min(state.failures - 1, 20);
      state.nextAttempt = now + Math.min(backOff, deadAfterMs);
      if (!state.dead && now - (state.lastContact ?? state.firstSeen) >= deadAfterMs) {
        state.dead = true;
        this.#options.logger.warn(
          { host: state.name, address: state.address, err: error },
          'agent is dead',
        );
      }
      return undefined;
    }
  }

  async #writeNow(state: HostState, now: number): Promise<void> {
    const board = this.#options.nowBoard;
    // NOTE: a host removed while this dump ran keeps no view.
    if (board === undefined || this.#hosts.get(state.name) !== state) return;
    try {
      await board.write(state.resourceId, {
        host: state.name,
        address: state.address,
        up: state.up,
        lastContact: isoOrNull(state.lastContact),
        sampledAt: isoOrNull(state.sampledAt),
        updatedAt: new Date(now).toISOString(),
        quantumSeconds: state.quantumSeconds,
        agentDropped: state.agentDropped,
        lastError: state.lastError ?? null,
        figures: state.figures,
      });
    } catch (error) {
      this.#options.logger.warn({ err: error, host: state.name }, 'host now view not written');
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
    state: HostState,
    series: ReadonlyMap<string, { timestamps: number[]; values: number[] }>,
  ): Promise<void> {
    const { indexer, incoming } = this.#options;
    // NOTE: a host list read while the last dump attached metrics may have brought back the
    // names as they were before; the helper reads the indexer's own before attaching any.
    state.metrics = await attachMissingMetrics(
      indexer,
      HOST_RESOURCE_TYPE,
      state.resourceId,
      state.metrics,
      series.keys(),
      this.#options.archivePolicyName ?? HOST_ARCHIVE_POLICY,
    );
    await enqueueNamedSeries(incoming, state.metrics, series);
  }
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
