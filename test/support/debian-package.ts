/**
 * The real clients and servers the compatibility tests drive come from Debian's packages; a test
 * installs its own where it is missing (CI installs them all up front).
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** Debian's interpreter, where Debian's Python clients live (not a pyenv one). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Whether `command args` runs and exits 0. */
export function runs(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args).status === 0;
}

/**
 * Installs `name` unless `present()` says it is there; `lean` leaves out what it recommends
 * (web assets, fonts, libraries a test does not use).
 */
export function ensureDebianPackage(
  name: string,
  present: () => boolean,
  options: { readonly lean?: boolean } = {},
): void {
  if (present()) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
  const lean = options.lean === true ? ['--no-install-recommends'] : [];
  execFileSync('apt-get', ['install', '-y', '-qq', ...lean, name], { env, stdio: 'ignore' });
}
