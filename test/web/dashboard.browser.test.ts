/**
 * The dashboard in a real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
 * served by a plain Node http server on a loopback port.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchBrowser, signIn as signInAt, type Browser } from './browser.js';
import { serve, type Served } from './serve.js';
import { seededDashboard, TOKEN } from './fixtures.js';

let served: Served;
let chromium: Browser;
let browser: BrowserContext;

beforeAll(async () => {
  served = await serve(await seededDashboard());
  chromium = await launchBrowser();
  browser = chromium.context;
});

// One profile for the file, signed out before each test.
beforeEach(async () => browser.clearCookies());

afterAll(async () => {
  await chromium?.close();
  await served?.close();
});

const signIn = (page: Page, token: string) => signInAt(page, `${served.url}/hitl`, token);

describe('the dashboard in a browser', () => {
  it('refuses without the token: a sign-in form, no data, and a wrong token is turned away', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${served.url}/hitl`);
    expect(response?.status()).toBe(401);
    await expect(page.locator('h2').first().textContent()).resolves.toBe('Sign in to the dashboard');
    expect(await page.locator('#pending').count()).toBe(0);

    await signIn(page, 'not-the-token');
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('That token is not the dashboard token.');
    expect(await page.locator('#pending').count()).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
    await page.close();
  });

  it('shows the seeded pending checkpoints, escalations and metrics once signed in', async () => {
    const page = await browser.newPage();
    await signIn(page, TOKEN);
    expect(page.url()).toBe(`${served.url}/hitl`);
    const cookies = await browser.cookies(`${served.url}/hitl`);
    expect(cookies.find((c) => c.name === 'hitl_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Nearest deadline first: api#5 (overdue 6d), api#12, web#22, mobile#7, web#21.
    const pendingRows = page.locator('#pending tbody tr');
    expect(await pendingRows.count()).toBe(5);
    expect(await pendingRows.locator('td:first-child').allTextContents()).toEqual(['acme/api#5', 'acme/api#12', 'acme/web#22', 'acme/mobile#7', 'acme/web#21']);
    await expect(pendingRows.nth(0).textContent()).resolves.toContain('overdue 6d');
    await expect(pendingRows.nth(1).textContent()).resolves.toContain('dana');
    expect(await page.locator('#escalations tbody tr td:first-child').allTextContents()).toEqual(['level 3', 'level 3', 'level 2']);

    const compliance = page.locator('.metric[data-metric="Checkpoint compliance"]');
    await expect(compliance.locator('.value').textContent()).resolves.toBe('71.4%');
    await expect(compliance.locator('.badge').textContent()).resolves.toBe('✗ Missed');
    const expert = page.locator('.metric[data-metric="Approval time, expert"]');
    await expect(expert.locator('.value').textContent()).resolves.toBe('p90 20h');
    await expect(expert.locator('.badge').textContent()).resolves.toBe('✓ Met');
    // Chart of 8 weeks: standard medians in 3 weeks (web#4's at now−29d too), expert in 2.
    expect(await page.locator('svg.chart circle').count()).toBe(5);

    // A reason with markup in it is shown as text.
    await expect(page.locator('#audit-log').textContent()).resolves.toContain('secrets in <script>');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await page.close();
  });

  it('filters the audit log by actor and action from the form', async () => {
    const page = await browser.newPage();
    await signIn(page, TOKEN);
    const actors = () => page.locator('#audit-log tbody tr td:nth-child(3)').allTextContents();
    expect((await actors()).length).toBeGreaterThan(10);

    await page.fill('#audit-filters input[name=actor]', 'mallory');
    await Promise.all([page.waitForURL(/actor=mallory/), page.click('#audit-filters button[type=submit]')]);
    // mallory's violations: web#13 (now−12d) and api#2 (now−9d+4h); web#14's is older than the default 30 days.
    expect(await actors()).toEqual(['mallory', 'mallory']);
    await expect(page.inputValue('#audit-filters input[name=actor]')).resolves.toBe('mallory');

    await page.selectOption('#audit-filters select[name=action]', 'compliance_violation');
    await page.fill('#audit-filters input[name=actor]', '');
    await page.fill('#audit-filters input[name=since]', '60d');
    await Promise.all([page.waitForURL(/action=compliance_violation/), page.click('#audit-filters button[type=submit]')]);
    expect(await page.locator('#audit-log tbody tr td:nth-child(2)').allTextContents()).toEqual(['acme/api#2', 'acme/web#13', 'acme/web#14']);

    await page.fill('#audit-filters input[name=since]', 'last tuesday');
    await Promise.all([page.waitForURL(/since=last/), page.click('#audit-filters button[type=submit]')]);
    await expect(page.locator('#audit [role=alert]').textContent()).resolves.toContain('since: "last tuesday" is not a time');
    await page.close();
  });
});
