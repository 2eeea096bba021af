/** What every console page is built from and gives back. */
import type { Api } from '../api.ts';
import type { Session } from '../session.ts';

export interface PageContext {
  readonly api: Api;
  readonly session: Session;
  /** The query of the page's hash route (`#/series?metric=…`), for pages that can be linked to. */
  readonly params: URLSearchParams;
}

/** A rendered page; `dispose` stops its timers and frees its charts when another is shown. */
export interface Page {
  readonly element: HTMLElement;
  dispose?(): void;
}

/** A page of the navigation. */
export interface PageDefinition {
  /** Its hash route, e.g. `series` for `#/series`. */
  readonly path: string;
  readonly title: string;
  /**
   * The policy rule the page's reads need beyond a user (`get status`…): the page is shown only
   * to callers that pass it (the API refuses the rest anyway).
   */
  readonly rule?: string;
  render(context: PageContext): Page;
}
