/**
 * Who the console acts as: the credentials of the API's own auth mode, kept for the browser tab
 * (sessionStorage, gone when it closes), sent as the headers that mode reads. The console holds
 * no rights of its own, so a user sees in it only what the API lets that user see.
 */

/** The API's auth modes (`api.auth`). */
export type AuthMode = 'basic' | 'noauth' | 'remoteuser' | 'verified' | 'keystone';

/** A signed-in session. */
export interface Session {
  /** Who, as the API names the caller. */
  readonly user: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The API's answer, at sign-in, to whether the caller passes each rule the pages need. */
  readonly rules: Readonly<Record<string, boolean>>;
}

/** What the sign-in form collects. */
export interface SignIn {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly project?: string;
  readonly roles?: string;
}

const KEY = 'orzo-console-session';

/** The auth mode the page was served for. */
export function authMode(): AuthMode {
  const mode = document.querySelector('meta[name="orzo-auth"]')?.getAttribute('content');
  return mode === 'noauth' || mode === 'remoteuser' || mode === 'verified' || mode === 'keystone'
    ? mode
    : 'basic';
}

/** The headers that carry these credentials in this mode. */
export function credentialHeaders(mode: AuthMode, form: SignIn): Record<string, string> {
  const token = form.token?.trim() ?? '';
  switch (mode) {
    case 'remoteuser':
      return {};
    case 'keystone':
      return { 'X-Auth-Token': token };
    case 'noauth':
      return {
        'X-User-Id': form.user ?? '',
        'X-Project-Id': form.project ?? '',
        ...(form.roles ? { 'X-Roles': form.roles } : {}),
      };
    case 'verified':
      if (token !== '') return { Authorization: `Bearer ${token}` };
      return { Authorization: basic(form.user ?? '', form.password ?? '') };
    case 'basic':
      return { Authorization: basic(form.user ?? '', form.password ?? '') };
  }
}

function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** The session kept for this tab, if any. */
export function storedSession(): Session | undefined {
  const text = sessionStorage.getItem(KEY);
  if (text === null) return undefined;
  try {
    const session = JSON.parse(text) as Session;
    return typeof session.user === 'string' &&
      typeof session.headers === 'object' &&
      typeof session.rules === 'object'
      ? session
      : undefined;
  } catch {
    return undefined;
  }
}

export function storeSession(session: Session | undefined): void {
  if (session === undefined) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(session));
}
