/**
 * The sign-in form, shaped by the API's auth mode: a user name in `basic` mode (Gnocchi's, where
 * the password is ignored), a password or an API token in `verified` mode, a Keystone token, or
 * the headers of `noauth`. Signing in asks the API who the credentials are and which of the
 * pages' rules they pass (`GET /console/session`); a 401 means it refuses them.
 */
import { Api } from '../api.ts';
import { field, h, notice, replace } from '../dom.ts';
import { credentialHeaders, type AuthMode, type Session, type SignIn } from '../session.ts';

const HINTS: Readonly<Record<AuthMode, string>> = {
  basic: 'This API takes the user name as given (the password is not checked); "admin" is admin.',
  verified: 'Sign in with your password, or paste an API token instead.',
  keystone: 'Paste a Keystone token (openstack token issue).',
  noauth: 'This API trusts the user, project and roles it is sent.',
  remoteuser: 'Your proxy has signed you in.',
};

/** Checks credentials against the API and makes the session. */
export async function signIn(root: URL, mode: AuthMode, form: SignIn): Promise<Session> {
  const headers = credentialHeaders(mode, form);
  const answer = await new Api(root, headers).get<Pick<Session, 'user' | 'rules'>>(
    'console/session',
  );
  return { user: answer.user, rules: answer.rules, headers };
}

/** The sign-in page. */
export function signInPage(
  root: URL,
  mode: AuthMode,
  onSession: (session: Session) => void,
): HTMLElement {
  const input = (name: string, type = 'text', autocomplete = 'off'): HTMLInputElement =>
    h('input', { attrs: { name, type, autocomplete } });
  const user = input('user', 'text', 'username');
  const password = input('password', 'password', 'current-password');
  const token = input('token', 'password');
  const project = input('project');
  const roles = input('roles');
  const fields: HTMLElement[] = [];
  if (mode === 'basic' || mode === 'verified' || mode === 'noauth') {
    fields.push(field(mode === 'noauth' ? 'User id' : 'User', user));
  }
  if (mode === 'verified') fields.push(field('Password', password));
  if (mode === 'verified' || mode === 'keystone') fields.push(field('Token', token));
  if (mode === 'noauth') {
    fields.push(field('Project id', project), field('Roles', roles, 'comma-separated, e.g. admin'));
  }
  const message = h('div', 'messages');
  const form = h(
    'form',
    {
      class: 'sign-in',
      on: {
        submit: (event) => {
          event.preventDefault();
          replace(message);
          signIn(root, mode, {
            user: user.value,
            password: password.value,
            token: token.value,
            project: project.value,
            roles: roles.value,
          }).then(onSession, (error: unknown) => {
            replace(message, notice('error', `Sign-in failed: ${(error as Error).message}`));
          });
        },
      },
    },
    h('h1', null, 'Orzo console'),
    h('p', 'hint', HINTS[mode]),
    ...fields,
    h('button', { attrs: { type: 'submit' } }, 'Sign in'),
    message,
  );
  return form;
}
