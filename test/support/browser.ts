/**
 * A real browser for the console's tests and benchmark: Debian's Chromium, headless, driven by
 * playwright-core (which brings no browser of its own).
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

import { ensureDebianPackage } from './debian-package.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium, installing Debian's package first where it is missing. */
export async function launchChromium(): Promise<Browser> {
  ensureDebianPackage('chromium', () => existsSync(CHROMIUM));
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
