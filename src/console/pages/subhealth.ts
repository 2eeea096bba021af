/**
 * Sub-health: per group, the seed's page: a bar chart of how many slow instances each check of
 * the last 24 hours found; a click on a bar lists that check's findings (host, instance, times
 * flagged in the 24 hours up to it, the shares behind the finding); and the group's settings
 * form, saved through `PATCH /v1/subhealth/config` and read back from its answer.
 */
import type { Api } from '../api.ts';
import { barChart, type Chart } from '../chart.ts';
import { field, h, notice, replace, select, table } from '../dom.ts';
import { localTime, utcTime } from '../time.ts';
import type { PageDefinition } from './page.ts';

type GroupSettings = Readonly<Record<string, unknown>>;

interface ConfigJson {
  readonly groups: Readonly<Record<string, GroupSettings>>;
}

interface TimelineJson {
  readonly start: string;
  readonly stop: string;
  readonly interval_seconds: number;
  readonly timeline: readonly { readonly check_time: string; readonly slow_instances: number }[];
}

interface FindingJson {
  readonly check_time: string;
  readonly host_name: string | null;
  readonly instance_name: string;
  readonly instance_id: string;
  readonly trigger_times: number;
  readonly waits: number;
  readonly wait_share: number;
  readonly load_share: number;
  readonly excess: number;
  readonly top_waits: Readonly<Record<string, number>>;
}

/** The settings the form edits, with their input kind; the rest (signals, filter) stay as set. */
const FORM_SETTINGS: readonly (readonly [
  name: string,
  label: string,
  kind: 'number' | 'flag' | 'strategy',
  step?: number,
])[] = [
  ['enabled', 'Enabled', 'flag'],
  ['dryRun', 'Dry run (record findings, no warnings)', 'flag'],
  ['strategy', 'Strategy', 'strategy'],
  ['intervalSeconds', 'Interval (s)', 'number', 1],
  ['settleSeconds', 'Settle (s)', 'number', 1],
  ['minShare', 'Min wait share', 'number', 0.01],
  ['minExcess', 'Min excess over load share', 'number', 0.01],
  ['minTotalWaits', 'Min total waits', 'number', 0.001],
  ['minInstances', 'Min instances', 'number', 1],
  ['consecutive', 'Checks in a row to flag', 'number', 1],
  ['clearAfter', 'Quiet checks to clear', 'number', 1],
];

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

export const subhealthPage: PageDefinition = {
  path: 'subhealth',
  title: 'Sub-health',
  rule: 'get subhealth',
  render({ api, session }) {
    const canChange = session.rules['update subhealth'] === true;
    const charts: ChartSlots = new Map();
    const element = h('div', 'subhealth-page');
    const messages = h('div', 'messages');
    element.append(messages);
    void api.get<ConfigJson>('v1/subhealth/config').then(
      (config) => {
        for (const [name, settings] of Object.entries(config.groups)) {
          element.append(groupSection(api, name, settings, charts, canChange));
        }
      },
      (error: unknown) => {
        replace(messages, notice('error', (error as Error).message));
      },
    );
    return {
      element,
      dispose() {
        for (const chart of charts.values()) chart.destroy();
      },
    };
  },
};

/** The charts of the page, destroyed with it. */
type ChartSlots = Map<string, Chart>;

function groupSection(
  api: Api,
  name: string,
  settings: GroupSettings,
  charts: ChartSlots,
  canChange: boolean,
): HTMLElement {
  const status = h('span', 'badge', settings.enabled === true ? 'enabled' : 'disabled');
  const holder = h('div', 'chart');
  const findings = h('div', { class: 'findings', attrs: { 'data-group': name } });
  const timelineMessages = h('div', 'messages');
  // NOTE: a group in dry run records its findings apart; its timeline is those, by default.
  const dryRun = h('input', {
    attrs: { type: 'checkbox', name: 'dry_run', checked: settings.dryRun === true },
  });
  const loadTimeline = async (): Promise<void> => {
    replace(timelineMessages);
    replace(findings);
    try {
      const timeline = await api.get<TimelineJson>('v1/subhealth/timeline', {
        group: name,
        dry_run: dryRun.checked,
      });
      const points = timeline.timeline;
      if (points.length === 0) {
        replace(timelineMessages, notice('info', 'No checks have flagged anything in 24 hours.'));
      }
      charts.get(name)?.destroy();
      charts.set(
        name,
        barChart(
          holder,
          points.map((point) => Date.parse(point.check_time)),
          points.map((point) => point.slow_instances),
          dryRun.checked ? 'would-be slow instances' : 'slow instances',
          (index) => {
            const point = points[index];
            if (point !== undefined) {
              void showFindings(api, name, point.check_time, dryRun.checked, findings);
            }
          },
          [Date.parse(timeline.start), Date.parse(timeline.stop)],
        ),
      );
    } catch (error) {
      replace(timelineMessages, notice('error', (error as Error).message));
    }
  };
  dryRun.addEventListener('change', () => void loadTimeline());
  void loadTimeline();
  return h(
    'section',
    { class: 'group', attrs: { 'data-group': name } },
    h('h2', null, name, ' ', status),
    h('p', 'hint', 'Slow instances per check, last 24 hours. Click a bar for its findings.'),
    h('label', 'check', dryRun, 'Dry-run findings (what would have been flagged)'),
    timelineMessages,
    holder,
    findings,
    settingsForm(api, name, settings, canChange, (saved) => {
      status.textContent = saved.enabled === true ? 'enabled' : 'disabled';
    }),
  );
}

async function showFindings(
  api: Api,
  group: string,
  checkTime: string,
  dryRun: boolean,
  into: HTMLElement,
): Promise<void> {
  try {
    const answer = await api.get<{ findings: FindingJson[] }>('v1/subhealth/findings', {
      group,
      dry_run: dryRun,
      check_time: checkTime,
    });
    const time = new Date(checkTime);
    replace(
      into,
      h(
        'h3',
        null,
        'Findings of the check at ',
        h(
          'time',
          { attrs: { title: utcTime(time), datetime: time.toISOString() } },
          localTime(time),
        ),
      ),
      answer.findings.length === 0
        ? notice('info', 'This check flagged nobody.')
        : table(
            [
              'host',
              'instance',
              'flagged in 24 h',
              'waits',
              'wait share',
              'load share',
              'excess',
              'top waits',
            ],
            answer.findings.map((finding) => [
              finding.host_name ?? '—',
              h('span', { attrs: { title: finding.instance_id } }, finding.instance_name),
              finding.trigger_times,
              finding.waits.toFixed(3),
              percent(finding.wait_share),
              percent(finding.load_share),
              `×${finding.excess.toFixed(2)}`,
              Object.entries(finding.top_waits)
                .map(([signal, value]) => `${signal} ${value.toFixed(3)}`)
                .join(', '),
            ]),
          ),
    );
  } catch (error) {
    replace(into, notice('error', (error as Error).message));
  }
}

function settingsForm(
  api: Api,
  group: string,
  settings: GroupSettings,
  canChange: boolean,
  onSaved: (saved: GroupSettings) => void,
): HTMLFormElement {
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const messages = h('div', 'messages');
  const fields = FORM_SETTINGS.map(([name, label, kind, step]) => {
    const value = settings[name];
    let control: HTMLInputElement | HTMLSelectElement;
    if (kind === 'strategy') {
      control = select(name, ['share', 'mad'], String(value));
    } else if (kind === 'flag') {
      control = h('input', { attrs: { name, type: 'checkbox', checked: value === true } });
    } else {
      control = h('input', { attrs: { name, type: 'number', step, value: String(value) } });
    }
    control.disabled = !canChange;
    controls.set(name, control);
    return field(label, control);
  });
  const fill = (saved: GroupSettings): void => {
    for (const [name, control] of controls) {
      if (control instanceof HTMLInputElement && control.type === 'checkbox') {
        control.checked = saved[name] === true;
      } else {
        control.value = String(saved[name]);
      }
    }
  };
  return h(
    'form',
    {
      class: 'settings',
      attrs: { 'data-group': group },
      on: {
        submit: (event) => {
          event.preventDefault();
          const change: Record<string, unknown> = {};
          for (const [name, control] of controls) {
            if (control instanceof HTMLInputElement && control.type === 'checkbox') {
              change[name] = control.checked;
            } else if (control instanceof HTMLInputElement) {
              change[name] = control.value === '' ? undefined : Number(control.value);
            } else {
              change[name] = control.value;
            }
          }
          replace(messages);
          api.patch<ConfigJson>('v1/subhealth/config', { [group]: change }).then(
            (config) => {
              const saved = config.groups[group] ?? {};
              fill(saved);
              onSaved(saved);
              replace(
                messages,
                notice('info', 'Saved; the detector applies it at its next check.'),
              );
            },
            (error: unknown) => {
              replace(messages, notice('error', (error as Error).message));
            },
          );
        },
      },
    },
    h('h3', null, 'Settings'),
    h('div', 'form-grid', ...fields),
    canChange
      ? h('button', { attrs: { type: 'submit' } }, 'Save')
      : h('p', 'hint', 'Changing these settings takes the rule "update subhealth".'),
    messages,
  );
}
