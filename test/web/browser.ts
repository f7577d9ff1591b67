/** Debian's headless Chromium (/usr/bin/chromium) through playwright-core, with a throwaway profile. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'hitl-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', // Debian's chromium; GitHub's runners set CHROMIUM_PATH to their Chrome
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  // Fail within seconds, not at Jest's 30 s timeout.
  context.setDefaultTimeout(5000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the dashboard's form, as a person would. */
export async function signIn(page: Page, dashboardUrl: string, token: string): Promise<void> {
  await page.goto(dashboardUrl);
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}
