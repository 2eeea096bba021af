/**
 * A small helper to build DOM trees in code: the console is a handful of forms, tables and
 * charts, which do not need a framework's diffing; each page rebuilds the part that changed.
 */

/** What may be placed in an element. */
export type Child = Node | string | number | null | undefined | false;

type Listeners = {
  [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void;
};

/** An element's settings: attributes (false or undefined leave one out) and listeners. */
export interface Props {
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly on?: Listeners;
  readonly class?: string;
}

/** Builds an element with its props and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | string | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const settings: Props = typeof props === 'string' ? { class: props } : (props ?? {});
  if (settings.class !== undefined) element.className = settings.class;
  for (const [name, value] of Object.entries(settings.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, listener] of Object.entries(settings.on ?? {})) {
    element.addEventListener(type, listener as EventListener);
  }
  append(element, ...children);
  return element;
}

/** Appends children, skipping empty ones. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A labelled form field. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h(
    'label',
    'field',
    h('span', 'field-label', label),
    control,
    hint && h('small', null, hint),
  );
}

/** A `<select>` of options, with `selected` chosen. */
export function select(
  name: string,
  options: readonly (string | readonly [value: string, label: string])[],
  selected?: string,
): HTMLSelectElement {
  const element = h('select', { attrs: { name } });
  for (const option of options) {
    const [value, label] = typeof option === 'string' ? [option, option] : option;
    element.append(h('option', { attrs: { value, selected: value === selected } }, label));
  }
  return element;
}

/** A table of rows, each cell a child. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
): HTMLTableElement {
  return h(
    'table',
    'grid',
    h('thead', null, h('tr', null, ...headers.map((header) => h('th', null, header)))),
    h(
      'tbody',
      null,
      ...rows.map((row) => h('tr', null, ...row.map((cell) => h('td', null, cell)))),
    ),
  );
}

/** A message box; errors are shown where the action was, not in an alert. */
export function notice(kind: 'error' | 'info', text: string): HTMLElement {
  return h(
    'div',
    { class: `notice ${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } },
    text,
  );
}
