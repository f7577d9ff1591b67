/**
 * `npm run demo` for real: the built CLI (lib/cli/main.js demo) as a child process, with no
 * REDIS_URL, so it starts and stops its own redis-server. The story is asserted from what it
 * printed (each line read back from the stand-in by the demo), the dashboard it leaves running is
 * checked in headless Chromium and photographed for the README, and Ctrl-C ends it cleanly.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/demo/ports.js';
import { NO_REDIS } from '../../src/demo/redis.js';
import { ARTIFACTS, launchBrowser, signIn } from '../web/browser.js';

const started: ChildProcess[] = [];
afterAll(async () => {
  // A test that failed half-way: Ctrl-C first, so the demo stops its redis-server too.
  for (const child of started.filter((c) => c.exitCode === null && c.signalCode === null)) {
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const hardStop = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(hardStop);
  }
}, 30_000);

const demo = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['lib/cli/main.js', 'demo', ...args], { env, encoding: 'utf8', timeout: 20_000 });

/** Resolves with everything printed so far once `text` appears on stdout. */
function waitForOutput(child: ChildProcess, text: string, within: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${within} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)), within);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(text)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before "${text}"; stdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

describe('npm run demo', () => {
  it('tells the story as it happens, serves the dashboard it produced, and stops everything on Ctrl-C', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['lib/cli/main.js', 'demo'], { env: { PATH: process.env.PATH, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    const output = await waitForOutput(child, 'Ctrl-C stops the demo', 180_000);
    const lines = output.split('\n');

    // Every step's outcome was seen on the stand-in, and nothing was missed.
    expect(lines.filter((line) => /^\d\/6 /.test(line))).toHaveLength(6);
    expect(lines.filter((line) => line.startsWith('   ✗'))).toEqual([]);
    expect(output).toMatch(/The story ran as expected: 6 of 6 steps in \d+ s\./);
    // What HITL did, step by step, as the narration read it back.
    expect(lines).toContain('   HITL    check `hitl` on #1: success — automatic: no human checkpoint needed');
    expect(lines).toContain('   HITL    asked @bob to review #2');
    for (const level of [2, 3, 4]) expect(output).toMatch(new RegExp(`HITL    commented on #3: HITL escalation, level ${level} `));
    expect(lines).toContain('   HITL    reacted 👍 to @carol\'s "/ack" on #3');
    expect(output).toMatch(/HITL {4}closed issue #\d+ "HITL escalation: acme\/shop#3 security_review"/);
    expect(output).toMatch(/HITL {4}check `hitl` on #5: success — emergency: all checkpoints bypassed by @dave/);
    expect(output).toMatch(/HITL {4}opened issue #\d+ "Post-implementation review: #5 Hotfix: checkout fails for carts over 100 items"/);
    expect(output).toMatch(/HITL {4}answered the `production` deployment \(workflow run \d+\): approved — HITL: PR #2 passed the hitl gate/);
    expect(output).toMatch(/HITL {4}commented on #7: 🚨 Compliance violation: this pull request was merged by @erin around the HITL gate/);
    expect(output).toMatch(/HITL {4}answered the `production` deployment \(workflow run \d+\): rejected — .*PR #7 was merged while its hitl check was still in progress/);

    const redisUrl = `redis://${/a private redis-server on (127\.0\.0\.1:\d+)/.exec(output)![1]}`;
    const [, dashboardUrl, token] = /Dashboard {2}(\S+) {3}token (\S+)/.exec(output)!;
    expect(dashboardUrl).toBe(`http://127.0.0.1:${port}/hitl`);

    const chromium = await launchBrowser();
    try {
      const page = await chromium.context.newPage();
      await signIn(page, dashboardUrl!, token!);
      // The violation of #7 still waits for the technical lead's /ack; everything else was resolved.
      expect(await page.locator('#pending tbody tr td:first-child').allTextContents()).toEqual(['acme/shop#7']);
      const actions = await page.locator('#audit-log tbody tr td:nth-child(4)').allTextContents();
      for (const action of ['bypassed', 'compliance violation', 'deployment approved', 'deployment rejected', 'post-review opened', 'acknowledged']) expect(actions).toContain(action);
      mkdirSync(ARTIFACTS, { recursive: true });
      // The README's picture (docs/dashboard.png): metrics, pending, escalations and the newest audit entries.
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-after-demo.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1300 } });
    } finally {
      await chromium.close();
    }

    expect(await redisAnswers(redisUrl)).toBe(true);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error('no exit within 20 s of SIGINT')), 20_000).unref())])) as [number];
    expect(code).toBe(0);
    expect(await redisAnswers(redisUrl)).toBe(false);
  }, 240_000);

  it('stops everything it started, its redis-server too, on Ctrl-C in the middle of the story (exit 130)', async () => {
    const child = spawn(process.execPath, ['lib/cli/main.js', 'demo', '--once'], { env: { PATH: process.env.PATH, PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const output = await waitForOutput(child, '2/6 ', 120_000);
    const redisUrl = `redis://${/a private redis-server on (127\.0\.0\.1:\d+)/.exec(output)![1]}`;
    expect(await redisAnswers(redisUrl)).toBe(true);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error('no exit within 20 s of SIGINT')), 20_000).unref())])) as [number];
    expect(code).toBe(130);
    expect(stderr).toContain('hitl demo: interrupted; stopping');
    expect(await redisAnswers(redisUrl)).toBe(false);
  }, 150_000);

  it('says in one line how to get Redis when there is neither REDIS_URL nor redis-server', () => {
    const run = demo(['--once'], { PATH: '/nonexistent' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([NO_REDIS]);
    expect(NO_REDIS).toContain('apt-get install redis-server');
  });

  it('answers --help, and refuses an unknown argument with the usage (exit 2)', () => {
    const help = demo(['--help'], { PATH: process.env.PATH });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--once');
    const wrong = demo(['--twice'], { PATH: process.env.PATH });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('unknown argument --twice');
  });
});
