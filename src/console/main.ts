/**
 * The console's entry: the sign-in, the navigation, and one page at a time by hash route
 * (`#/series`, …), so that a page's address can be shared and the back button works.
 */
import './console.css';

import { Api } from './api.ts';
import { h, replace } from './dom.ts';
import { hostsPage } from './pages/hosts.ts';
import { metricdPage } from './pages/metricd.ts';
import { opsPage } from './pages/ops.ts';
import type { Page, PageDefinition } from './pages/page.ts';
import { policiesPage } from './pages/policies.ts';
import { seriesPage } from './pages/series.ts';
import { signInPage } from './pages/sign-in.ts';
import { subhealthPage } from './pages/subhealth.ts';
import { authMode, storedSession, storeSession, type Session } from './session.ts';

const PAGES: readonly PageDefinition[] = [
  seriesPage,
  hostsPage,
  policiesPage,
  metricdPage,
  opsPage,
  subhealthPage,
];

/** The API root: the page is served at `<root>/console/`, whatever prefix a proxy adds. */
const ROOT = new URL('../', window.location.href);

const app = document.getElementById('app') ?? document.body;
let current: Page | undefined;

function show(session: Session | undefined): void {
  current?.dispose?.();
  current = undefined;
  if (session === undefined) {
    replace(
      app,
      signInPage(ROOT, authMode(), (signed) => {
        storeSession(signed);
        show(signed);
      }),
    );
    return;
  }
  const pages = PAGES.filter(
    (page) => page.rule === undefined || session.rules[page.rule] === true,
  );
  const [wanted, query = ''] = window.location.hash.replace(/^#\/?/, '').split('?', 2);
  const page = pages.find((candidate) => candidate.path === wanted) ?? pages[0];
  if (page === undefined) return;
  const api = new Api(ROOT, session.headers, () => {
    storeSession(undefined);
    show(undefined);
  });
  const nav = h(
    'nav',
    null,
    h('span', 'brand', 'Orzo'),
    ...pages.map((candidate) =>
      h(
        'a',
        {
          attrs: {
            href: `#/${candidate.path}`,
            'aria-current': candidate === page ? 'page' : false,
          },
        },
        candidate.title,
      ),
    ),
    h('span', 'spacer'),
    h('span', 'who', session.user),
    h(
      'button',
      {
        class: 'link',
        on: {
          click: () => {
            storeSession(undefined);
            show(undefined);
          },
        },
      },
      'Sign out',
    ),
  );
  current = page.render({ api, session, params: new URLSearchParams(query) });
  replace(app, nav, h('main', null, h('h1', null, page.title), current.element));
  document.title = `${page.title} · Orzo console`;
}

window.addEventListener('hashchange', () => {
  show(storedSession());
});
show(storedSession());
