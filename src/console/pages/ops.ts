/**
 * Ops: the op dumps of the API and of every metricd (`GET /v1/ops/<dump>`), each op with its
 * events drawn as bars along its life, so that where a slow op spent its time shows at a glance.
 */
import { h, notice, replace, select } from '../dom.ts';
import { localTime, utcTime } from '../time.ts';
import type { PageDefinition } from './page.ts';

interface OpEventJson {
  readonly time: string;
  readonly event: string;
  readonly elapsed: number;
  readonly since_previous: number;
}

interface OpJson {
  readonly id: number;
  readonly kind: string;
  readonly description: string;
  readonly initiated_at: string;
  readonly age: number;
  readonly duration?: number;
  readonly events: readonly OpEventJson[];
}

interface OpsDump {
  readonly enabled?: boolean;
  readonly ops?: readonly OpJson[];
}

interface OpsAnswer {
  readonly api: Readonly<Record<string, OpsDump>>;
  readonly metricd: Readonly<Record<string, unknown>>;
}

const DUMPS: readonly (readonly [string, string])[] = [
  ['in-flight', 'in flight'],
  ['blocked', 'slow, in flight'],
  ['historic-slow', 'slow, finished'],
  ['historic-by-duration', 'recent, slowest first'],
  ['historic', 'recent'],
];

const REFRESH_MS = 5_000;
/** Ops drawn per process at most. */
const SHOWN = 50;

const seconds = (value: number): string =>
  value >= 1 ? `${value.toFixed(2)} s` : `${(value * 1000).toFixed(1)} ms`;

/** An op's life as a row of bars, one per stretch between events, widths by time taken. */
export function opTimeline(op: OpJson): HTMLElement {
  const total = op.duration ?? op.age;
  const bar = h('div', { class: 'op-bar', attrs: { role: 'img', 'aria-label': op.description } });
  for (const event of op.events.slice(1)) {
    const share = total > 0 ? event.since_previous / total : 0;
    const piece = h('span', {
      class: 'op-step',
      attrs: {
        title: `${event.event}: ${seconds(event.since_previous)} (at ${seconds(event.elapsed)})`,
      },
    });
    piece.style.setProperty('flex-grow', String(Math.max(share, 0.002)));
    bar.append(piece);
  }
  if (op.duration === undefined) {
    const last = op.events.at(-1)?.elapsed ?? 0;
    const waiting = h('span', {
      class: 'op-step waiting',
      attrs: { title: `in flight: ${seconds(op.age - last)} since the last event` },
    });
    waiting.style.setProperty(
      'flex-grow',
      String(Math.max(total > 0 ? (op.age - last) / total : 1, 0.002)),
    );
    bar.append(waiting);
  }
  return bar;
}

function opRow(op: OpJson): HTMLElement {
  const started = new Date(op.initiated_at);
  return h(
    'div',
    'op',
    h(
      'div',
      'op-head',
      h('code', null, op.description),
      h('span', 'hint', ` ${op.kind} · `),
      h(
        'time',
        { attrs: { title: utcTime(started), datetime: started.toISOString() } },
        localTime(started),
      ),
      h(
        'span',
        'op-duration',
        op.duration === undefined ? `in flight ${seconds(op.age)}` : seconds(op.duration),
      ),
    ),
    opTimeline(op),
    h(
      'div',
      'op-events hint',
      op.events.map((event) => `${event.event} +${seconds(event.since_previous)}`).join(' → '),
    ),
  );
}

export const opsPage: PageDefinition = {
  path: 'ops',
  title: 'Ops',
  rule: 'get ops',
  render({ api }) {
    const dump = select('dump', DUMPS, 'historic-by-duration');
    const body = h('div', 'ops');
    const load = async (): Promise<void> => {
      try {
        const answer = await api.get<OpsAnswer>(`v1/ops/${dump.value}`);
        const processes = [...Object.entries(answer.api), ...Object.entries(answer.metricd)] as [
          string,
          OpsDump,
        ][];
        replace(
          body,
          ...processes.map(([name, one]) => {
            const ops = (one.ops ?? []).slice(0, SHOWN);
            return h(
              'section',
              { class: 'process', attrs: { 'data-process': name } },
              h('h2', null, name),
              one.enabled === false && notice('info', 'Op tracking is off in this process.'),
              ops.length === 0 && one.enabled !== false && h('p', 'hint', 'No ops.'),
              ...ops.map(opRow),
            );
          }),
        );
      } catch (error) {
        replace(body, notice('error', (error as Error).message));
      }
    };
    dump.addEventListener('change', () => void load());
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return {
      element: h(
        'div',
        null,
        h('div', 'pickers', h('label', 'field', h('span', 'field-label', 'Dump'), dump)),
        body,
      ),
      dispose: () => {
        clearInterval(timer);
      },
    };
  },
};
