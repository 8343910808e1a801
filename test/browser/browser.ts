import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; never a browser a tool downloads (.ci/run installs the package when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = () => existsSync(CHROMIUM);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** A headless chromium with a fresh profile directory of its own, removed on close. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'chat-chromium-'));
  // Playwright gives every launch a fresh temporary profile itself; this one also holds the crash dumps.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...ARGS, `--crash-dumps-dir=${profile}`],
    env: { ...process.env, HOME: profile, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Screenshots of each step, kept as test artifacts (test-artifacts/ is not committed). */
export function screenshots(folder: string) {
  let step = 0;
  const directory = join('test-artifacts', folder);
  return async (page: Page, name: string, options: { fullPage?: boolean } = {}) => {
    await mkdir(directory, { recursive: true });
    step += 1;
    await page.screenshot({
      path: join(directory, `${String(step).padStart(2, '0')}-${name}.png`),
      fullPage: options.fullPage ?? true,
    });
  };
}
