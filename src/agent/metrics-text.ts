/** A sample as Prometheus' text exposition, for the agent's own `/metrics`. */
import type { HostFigure } from './proc-files.ts';

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** One `# TYPE` per name (counters end in `_total`, as node_exporter's do), then its series. */
export function metricsText(figures: readonly HostFigure[]): string {
  const byName = new Map<string, HostFigure[]>();
  for (const figure of figures) {
    const list = byName.get(figure.name);
    if (list === undefined) byName.set(figure.name, [figure]);
    else list.push(figure);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`);
    for (const { labels, value } of list) {
      const pairs = Object.entries(labels).map(([key, text]) => `${key}="${escapeLabel(text)}"`);
      lines.push(`${name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${String(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
