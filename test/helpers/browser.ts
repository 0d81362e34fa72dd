/**
 * Headless Chromium for the HTML report tests: Debian's `chromium` driven by
 * playwright-core (no browser download). A missing browser fails the test
 * with how to install it, unless ACGS_SKIP_BROWSER=1 says to skip.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.ACGS_CHROMIUM ?? '/usr/bin/chromium';

/** True when browser tests should be skipped on purpose. */
export const SKIP_BROWSER = process.env.ACGS_SKIP_BROWSER === '1';

/** Launches headless Chromium, or throws an Error that says how to get it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with 'apt-get install -y chromium' (Debian/Ubuntu; .ci/run does this), point ACGS_CHROMIUM at another build, or set ACGS_SKIP_BROWSER=1 to skip the browser checks`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
