/**
 * Series: browse resources by type (with a filter in the API's own syntax), tick their metrics,
 * chart them with the pickers, as a chart or a table or a CSV; and an aggregates query box whose
 * result is charted the same way.
 */
import type { Api } from '../api.ts';
import { field, h, notice, replace, select } from '../dom.ts';
import { choiceQuery, type MeasureChoice } from '../measure-pickers.ts';
import { metricChart, type MetricChart } from '../metric-chart.ts';
import { metricChecklist } from '../metric-checklist.ts';
import type { MetricJson } from '../metric-read.ts';
import {
  resourceFilter,
  resourceName,
  type ResourceColumns,
  type ResourceJson,
} from '../resource-names.ts';
import { aggregatesSeries } from '../series-data.ts';
import { seriesView } from '../series-view.ts';
import type { PageDefinition } from './page.ts';

/** Resources listed at most per search. */
const LIST_LIMIT = 100;

export const seriesPage: PageDefinition = {
  path: 'series',
  title: 'Series',
  render({ api, params }) {
    const charted = new Map<string, string>();
    // NOTE: the charted metrics and the pickers are in the address, so that a chart can be shared
    // or kept; replaceState changes it without a hashchange, which would draw the page again.
    const chart = metricChart(
      api,
      'series',
      'Tick metrics of a resource to chart them.',
      params,
      (pickerParams) => {
        const query = new URLSearchParams([
          ...[...charted.keys()].map((id) => ['metric', id]),
          ...pickerParams,
        ]);
        const search = query.size === 0 ? '' : `?${query}`;
        window.history.replaceState(null, '', `#/series${search}`);
      },
    );
    const messages = h('div', 'messages');
    const redraw = (): Promise<void> => chart.show(charted);

    const type = select('resource_type', ['generic'], 'generic');
    const search = h('input', {
      attrs: { name: 'filter', type: 'search', placeholder: "words, or e.g. host = 'web-1'" },
    });
    const resources = h('ul', 'resources');
    const metricsOf = h('div', 'metrics');
    const list = async (): Promise<void> => {
      replace(resources);
      try {
        const found = await api.get<ResourceJson[]>(
          `v1/resource/${encodeURIComponent(type.value)}`,
          {
            limit: LIST_LIMIT,
            filter: resourceFilter(search.value),
          },
        );
        if (found.length === 0) replace(resources, h('li', 'hint', 'No resources.'));
        for (const resource of found) {
          resources.append(
            h(
              'li',
              null,
              h(
                'button',
                {
                  class: 'link',
                  attrs: { type: 'button', title: resource.id },
                  on: {
                    click: () => {
                      showMetrics(resource);
                    },
                  },
                },
                resourceName(resource),
              ),
            ),
          );
        }
      } catch (error) {
        replace(resources, h('li', null, notice('error', (error as Error).message)));
      }
    };
    const showMetrics = (resource: ResourceJson): void => {
      const boxes = metricChecklist(resource, resourceName(resource), charted, () => void redraw());
      replace(
        metricsOf,
        h('h3', null, resourceName(resource)),
        boxes.length === 0 && h('p', 'hint', 'No metrics.'),
        ...boxes,
      );
    };
    type.addEventListener('change', () => void list());
    const searchForm = h(
      'form',
      {
        class: 'search',
        on: {
          submit: (event) => {
            event.preventDefault();
            void list();
          },
        },
      },
      field('Type', type),
      field('Search', search),
      h('button', { attrs: { type: 'submit' } }, 'Search'),
    );
    void api.get<{ name: string }[]>('v1/resource_type').then(
      (types) => {
        const names = types.map((one) => one.name).sort();
        replace(type, ...names.map((name) => h('option', { attrs: { value: name } }, name)));
        type.value = names.includes('generic') ? 'generic' : (names[0] ?? 'generic');
        void list();
      },
      (error: unknown) => {
        replace(messages, notice('error', (error as Error).message));
      },
    );

    const aggregates = aggregatesBox(api, () => chart.pickers.choice());
    void linkedMetrics(api, params.getAll('metric'), chart).then(
      (linked) => {
        for (const [id, label] of linked) charted.set(id, label);
        void redraw();
      },
      (error: unknown) => {
        replace(messages, notice('error', (error as Error).message));
      },
    );
    return {
      element: h(
        'div',
        'series-page',
        h('aside', 'browser', searchForm, resources, metricsOf),
        h('div', 'workspace', messages, chart.element, aggregates.element),
      ),
      dispose() {
        chart.dispose();
        aggregates.dispose();
      },
    };
  },
};

/** A metric as `GET /v1/metric/<id>` shows it: with its resource's generic columns. */
interface MetricDetailsJson extends MetricJson {
  readonly name: string | null;
  readonly resource: ResourceColumns | null;
}

/** The metrics a link names, labelled as when ticked: `<resource>/<name>`, else their ids. */
async function linkedMetrics(
  api: Api,
  ids: readonly string[],
  chart: MetricChart,
): Promise<Map<string, string>> {
  const metrics = await Promise.all(
    ids.map((id) => api.get<MetricDetailsJson>(`v1/metric/${encodeURIComponent(id)}`)),
  );
  for (const metric of metrics) chart.remember(metric);
  return new Map(
    metrics.map((metric) => [
      metric.id,
      metric.resource === null || metric.name === null
        ? (metric.name ?? metric.id)
        : `${resourceName(metric.resource)}/${metric.name}`,
    ]),
  );
}

/** The aggregates query box: operations, an optional search of resources, groupby. */
function aggregatesBox(api: Api, choice: () => MeasureChoice) {
  const view = seriesView('aggregates');
  const operations = h('textarea', {
    attrs: {
      name: 'operations',
      rows: 2,
      placeholder: '(aggregate mean (metric cpu.util mean))',
    },
  });
  const resourceType = h('input', { attrs: { name: 'resource_type', placeholder: 'generic' } });
  const search = h('input', { attrs: { name: 'search', placeholder: "e.g. host = 'web-1'" } });
  const groupby = h('input', { attrs: { name: 'groupby', placeholder: 'e.g. host, project_id' } });
  const run = async (): Promise<void> => {
    const chosen = choice();
    const body: Record<string, unknown> = { operations: operations.value.trim() };
    if (resourceType.value.trim() !== '' || search.value.trim() !== '') {
      body.resource_type = resourceType.value.trim() || 'generic';
      body.search = search.value.trim() || {};
    }
    try {
      const groups = groupby.value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const answer = await api.post<unknown>('v1/aggregates', body, {
        ...choiceQuery(chosen, new Date()),
        groupby: groups.length === 0 ? undefined : groups,
      });
      view.show(aggregatesSeries(answer));
    } catch (error) {
      view.message('error', (error as Error).message);
    }
  };
  const form = h(
    'form',
    {
      class: 'aggregates',
      on: {
        submit: (event) => {
          event.preventDefault();
          void run();
        },
      },
    },
    h('h2', null, 'Aggregates'),
    h(
      'p',
      'hint',
      'Operations over metric ids, or metric names of the resources a search finds; the range, granularity and resample are the pickers above.',
    ),
    field('Operations', operations),
    h(
      'div',
      'row',
      field('Resource type', resourceType),
      field('Search', search),
      field('Group by', groupby),
    ),
    h('button', { attrs: { type: 'submit' } }, 'Run'),
  );
  return {
    element: h('section', null, form, view.element),
    dispose: () => {
      view.dispose();
    },
  };
}
