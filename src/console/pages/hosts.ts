/**
 * Hosts: the agents the poller dumps (resources of type `host`), each with its last contact and
 * now view (`GET /v1/host/<name>/now`); a host's name charts its metrics.
 */
import { h, notice, replace, table } from '../dom.ts';
import { metricChart } from '../metric-chart.ts';
import { metricChecklist } from '../metric-checklist.ts';
import { localTime, utcTime } from '../time.ts';
import type { PageDefinition } from './page.ts';
import { resourceName, type ResourceJson } from '../resource-names.ts';

interface HostNowJson {
  readonly host: string;
  readonly address: string;
  readonly up: boolean;
  readonly last_contact: string | null;
  readonly sampled_at: string | null;
  readonly quantum_seconds: number | null;
  readonly agent_dropped: number;
  readonly last_error: string | null;
  readonly figures: Readonly<Record<string, number | null>>;
}

const REFRESH_MS = 10_000;
/** The metric charted when a host is picked. */
const DEFAULT_CHARTED = 'node_load1';
const GIB = 1024 ** 3;

/** The now-view figures shown in the table (node_exporter's names), with their rendering. */
const SHOWN_FIGURES: readonly (readonly [
  name: string,
  label: string,
  scale: number,
  unit: string,
])[] = [
  ['node_load1', 'load 1 min', 1, ''],
  ['node_load5', 'load 5 min', 1, ''],
  ['node_memory_MemAvailable_bytes', 'memory available', GIB, ' GiB'],
  ['node_memory_MemTotal_bytes', 'memory', GIB, ' GiB'],
];

function when(value: string | null): HTMLElement | string {
  if (value === null) return 'never';
  const time = new Date(value);
  return h(
    'time',
    { attrs: { title: utcTime(time), datetime: time.toISOString() } },
    localTime(time),
  );
}

function figure(value: number | null | undefined, scale: number, unit: string): string {
  return value === null || value === undefined ? '—' : `${(value / scale).toFixed(2)}${unit}`;
}

export const hostsPage: PageDefinition = {
  path: 'hosts',
  title: 'Hosts',
  render({ api }) {
    const list = h('div', 'hosts');
    const chosen = h('h2');
    const chart = metricChart(api, 'host', 'Pick a host to chart its metrics.');
    const picked = h('div', 'metrics host-metrics');
    // NOTE: a host has dozens of metrics (per CPU mode, disk, filesystem): its load is charted
    // first and the rest are ticked as wanted.
    const pick = (resource: ResourceJson, name: string): void => {
      chosen.textContent = name;
      const charted = new Map<string, string>();
      const names = Object.keys(resource.metrics).sort();
      const first = names.includes(DEFAULT_CHARTED) ? DEFAULT_CHARTED : names[0];
      if (first !== undefined) charted.set(resource.metrics[first] ?? '', `${name}/${first}`);
      replace(picked, ...metricChecklist(resource, name, charted, () => void chart.show(charted)));
      void chart.show(charted);
    };
    const refresh = async (): Promise<void> => {
      try {
        // NOTE: the host type exists once a first host is added; asking for its resources before
        // would be a 404, which the browser logs as an error.
        const types = await api.get<{ name: string }[]>('v1/resource_type');
        const hosts = types.some((type) => type.name === 'host')
          ? await api.get<ResourceJson[]>('v1/resource/host', { limit: 1000 })
          : [];
        const views = await Promise.all(
          hosts.map(async (resource) => {
            const name = resourceName(resource);
            try {
              return {
                resource,
                name,
                now: await api.get<HostNowJson>(`v1/host/${encodeURIComponent(name)}/now`),
              };
            } catch {
              return { resource, name, now: undefined };
            }
          }),
        );
        replace(
          list,
          views.length === 0
            ? notice('info', 'No hosts: add agents with `orzo host add`.')
            : table(
                [
                  'host',
                  'address',
                  'state',
                  'last contact',
                  'sampled',
                  ...SHOWN_FIGURES.map(([, label]) => label),
                  'dropped',
                  'last error',
                ],
                views.map(({ resource, name, now }) => [
                  h(
                    'button',
                    {
                      class: 'link',
                      attrs: { type: 'button' },
                      on: {
                        click: () => {
                          pick(resource, name);
                        },
                      },
                    },
                    name,
                  ),
                  now?.address ?? '',
                  h('span', now?.up ? 'badge ok' : 'badge bad', now?.up ? 'up' : 'down'),
                  when(now?.last_contact ?? null),
                  when(now?.sampled_at ?? null),
                  ...SHOWN_FIGURES.map(([name, , scale, unit]) =>
                    figure(now?.figures[name], scale, unit),
                  ),
                  String(now?.agent_dropped ?? 0),
                  now?.last_error ?? '',
                ]),
              ),
        );
      } catch (error) {
        replace(list, notice('error', (error as Error).message));
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return {
      element: h('div', 'hosts-page', list, chosen, h('div', 'host-chart', picked, chart.element)),
      dispose() {
        clearInterval(timer);
        chart.dispose();
      },
    };
  },
};
