/** A resource's metrics as checkboxes, shared by the pages that chart what is ticked. */
import { h } from './dom.ts';
import type { ResourceJson } from './resource-names.ts';

/**
 * One checkbox per metric of `resource`, by name, ticked when `charted` holds it. Ticking one
 * adds it to `charted` as "label/name", unticking removes it; either then calls `onChange`.
 */
export function metricChecklist(
  resource: ResourceJson,
  label: string,
  charted: Map<string, string>,
  onChange: () => void,
): HTMLElement[] {
  return Object.keys(resource.metrics)
    .sort()
    .map((name) => {
      const id = resource.metrics[name] ?? '';
      const box = h('input', {
        attrs: { type: 'checkbox', name: 'metric', value: id, checked: charted.has(id) },
      });
      box.addEventListener('change', () => {
        if (box.checked) charted.set(id, `${label}/${name}`);
        else charted.delete(id);
        onChange();
      });
      return h('label', 'check', box, name);
    });
}
