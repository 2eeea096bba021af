/**
 * `npm run bench:subhealth`: what sub-health detection costs and how fast it finds.
 *
 * - `detector`: one check of the pure detector (scores, the rule, the streaks) for groups of
 *   100, 1,000 and 10,000 instances, each strategy, in µs per check.
 * - `check`: one whole check of a 1,000-instance group on an embedded deployment (SQLite, file
 *   storage): listing the resources, reading each instance's three signals from its series, the
 *   detector, the findings and the count series written; ms per check, the first apart.
 * - `delay`: a replayed day of 30 s checks (2,880) of 1,000 instances with skewed but healthy
 *   load (the busiest does 20 times the work of the idlest and waits as much more), then one
 *   instance degraded by a factor from check 100: false findings in the healthy day, and checks
 *   from the degradation to the finding, per strategy, in two kinds of group: `own` waits (each
 *   instance counts its own, as metricd workers do: the degraded one's are multiplied) and
 *   `attributed` waits (waits count against the instance waited on, as the seed's wait view
 *   does: that share of every peer's waits, 1 − 1/factor, lands on the degraded one).
 *
 * Prints one JSON object. Options: `--instances 1000` `--checks 2880`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { createArchivePolicy } from '../src/archive-policy/index.ts';
import { openEngineServices } from '../src/cli/engine-services.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { MeasureBatch } from '../src/ingest/index.ts';
import { SubhealthChecker, subhealthResourceId } from '../src/metricd/index.ts';
import { parseResourceTypeInput } from '../src/resource/index.ts';
import {
  DEFAULT_DETECTION_SETTINGS,
  SlowInstanceDetector,
  type DetectionSettings,
  type InstanceSample,
} from '../src/subhealth/index.ts';
import { runOrzo } from '../test/support/orzo-process.ts';
import { mulberry32 } from '../test/support/mulberry32.ts';

const { values: flags } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    checks: { type: 'string', default: '2880' },
  },
});
const INSTANCES = Number(flags.instances);
const CHECKS = Number(flags.checks);
const STRATEGIES = ['share', 'mad'] as const;

/** A group's healthy samples: load skewed 20:1 across instances, waits following load, noisy. */
function healthyGroup(count: number, random: () => number): (check: number) => InstanceSample[] {
  const weight = Array.from({ length: count }, (_, i) => 1 + (19 * i) / Math.max(1, count - 1));
  return () =>
    weight.map((w, i) => {
      const noise = (): number => 0.8 + 0.4 * random();
      const work = w * noise();
      return {
        id: `i${String(i)}`,
        waits: 0.05 * work * noise(),
        loads: { cpu: work * noise(), disk: work * noise(), net: work * noise() },
      };
    });
}

function detectorCost(): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const count of [100, 1000, 10_000]) {
    const samples = healthyGroup(count, mulberry32(count));
    const rounds = Math.max(20, Math.round(200_000 / count));
    const checks = Array.from({ length: rounds }, (_, check) => samples(check));
    const costs: Record<string, number> = {};
    out[String(count)] = costs;
    for (const strategy of STRATEGIES) {
      const detector = new SlowInstanceDetector();
      const settings = { ...DEFAULT_DETECTION_SETTINGS, strategy };
      for (const check of checks.slice(0, 5)) detector.check(check, settings);
      const started = performance.now();
      for (const check of checks) detector.check(check, settings);
      costs[`${strategy}_us_per_check`] = Math.round(
        ((performance.now() - started) * 1000) / rounds,
      );
    }
  }
  return out;
}

/** The group with `victim` degraded by `factor` (1: healthy), its waits its own or attributed. */
function degrade(
  samples: readonly InstanceSample[],
  factor: number,
  victim: string,
  kind: 'own' | 'attributed',
): InstanceSample[] {
  if (factor === 1) return [...samples];
  if (kind === 'own') {
    return samples.map((sample) =>
      sample.id === victim ? { ...sample, waits: sample.waits * factor } : sample,
    );
  }
  const moved = 1 - 1 / factor;
  let gathered = 0;
  const out = samples.map((sample) => {
    if (sample.id === victim) return sample;
    gathered += sample.waits * moved;
    return { ...sample, waits: sample.waits * (1 - moved) };
  });
  return out.map((sample) =>
    sample.id === victim ? { ...sample, waits: sample.waits + gathered } : sample,
  );
}

function detectionDelay(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const strategy of STRATEGIES) {
    const settings: DetectionSettings = { ...DEFAULT_DETECTION_SETTINGS, strategy };
    const healthy = healthyGroup(INSTANCES, mulberry32(20261205));
    const detector = new SlowInstanceDetector();
    let falseFindings = 0;
    for (let check = 0; check < CHECKS; check++) {
      falseFindings += detector.check(healthy(check), settings).flagged.length;
    }
    const delays: Record<string, Record<string, number | null>> = {};
    for (const kind of ['own', 'attributed'] as const) {
      const byFactor: Record<string, number | null> = {};
      delays[kind] = byFactor;
      for (const factor of [2, 4, 8, 16, 64]) {
        const samples = healthyGroup(INSTANCES, mulberry32(factor));
        const replay = new SlowInstanceDetector();
        const victim = `i${String(Math.floor(INSTANCES / 2))}`;
        let delay: number | null = null;
        for (let check = 0; check < 400 && delay === null; check++) {
          const group = degrade(samples(check), check >= 100 ? factor : 1, victim, kind);
          const { flagged } = replay.check(group, settings);
          if (flagged.includes(victim)) delay = check - 100 + 1;
          else falseFindings += flagged.length;
        }
        byFactor[`x${String(factor)}`] = delay;
      }
    }
    out[strategy] = { false_findings_in_a_day: falseFindings, checks_to_flag_by_factor: delays };
  }
  return out;
}

async function wholeCheck(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-bench-subhealth-'));
  try {
    runOrzo(['upgrade', '--data-dir', dataDir]);
    const config = resolveConfig([{ dataDir }]);
    const logger = pino({ level: 'warn' });
    const services = openEngineServices(config, logger);
    try {
      const { indexer } = services;
      await indexer.createArchivePolicy(
        createArchivePolicy(
          {
            name: 'second',
            aggregation_methods: ['mean'],
            definition: [{ granularity: 1, points: 3600 }],
          },
          { defaultAggregationMethods: ['mean'] },
        ),
      );
      await indexer.createResourceType(
        parseResourceTypeInput({
          name: 'vm',
          attributes: { host: { type: 'string', required: true } },
        }),
      );
      const samples = healthyGroup(INSTANCES, mulberry32(7))(0);
      const now = Math.floor(Date.now() / 30_000) * 30_000;
      const batches = new Map<string, MeasureBatch>();
      const timestamps = Float64Array.from(
        { length: 30 },
        (_, i) => (now - 30_000 + i * 1000) * 1000,
      );
      for (const [i, sample] of samples.entries()) {
        const resource = await indexer.createResource({
          id: subhealthResourceId(`bench-vm-${String(i)}`),
          type: 'vm',
          originalResourceId: `bench-vm-${String(i)}`,
          creator: 'admin',
          userId: null,
          projectId: null,
          startedAt: 0,
          endedAt: null,
          attributes: { host: `host-${String(i % 100)}` },
          metrics: Object.fromEntries(
            ['wait', 'cpu', 'disk'].map((name) => [
              name,
              { kind: 'new', id: crypto.randomUUID(), archivePolicyName: 'second', unit: null },
            ]),
          ),
        });
        const values = {
          wait: sample.waits,
          cpu: sample.loads.cpu ?? 0,
          disk: sample.loads.disk ?? 0,
        };
        for (const [name, value] of Object.entries(values)) {
          const id = resource.metrics[name];
          if (id !== undefined)
            batches.set(id, { timestamps, values: new Float64Array(30).fill(value) });
        }
      }
      await services.incoming.enqueueBatches(batches);
      await services.chef.processMetrics([...batches.keys()]);
      await indexer.putSubhealthGroup({
        name: 'vms',
        settings: {
          enabled: true,
          resourceType: 'vm',
          hostAttribute: 'host',
          waits: [{ name: 'wait', metrics: ['wait'] }],
          loads: [
            { name: 'cpu', metrics: ['cpu'] },
            { name: 'disk', metrics: ['disk'] },
          ],
        },
        updatedAt: 1,
      });
      const checker = new SubhealthChecker({
        indexer,
        storage: services.storage,
        incoming: services.incoming,
        logger,
        defaultAggregationMethods: ['mean'],
      });
      await checker.start();
      const times: number[] = [];
      for (let round = 0; round < 6; round++) {
        // NOTE: each a fresh checker state at the same check time, over the same window.
        await checker.stop();
        const started = performance.now();
        await checker.tick(now);
        times.push(performance.now() - started);
      }
      const [first = 0, ...rest] = times;
      const status = checker.status() as { groups: Record<string, { instances: number }> };
      return {
        instances: status.groups.vms?.instances ?? 0,
        first_check_ms: Math.round(first),
        check_ms: Math.round(rest.reduce((sum, time) => sum + time, 0) / rest.length),
      };
    } finally {
      await services.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const result = {
  instances: INSTANCES,
  detector: detectorCost(),
  check: await wholeCheck(),
  delay: detectionDelay(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
