/**
 * `npm start` for real: the built server (lib/server.js) as a child process, against the local
 * Redis under a test prefix and a dead loopback "GitHub". Bounded: each process gets seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testRedis } from '../helpers/redis.js';
import { freePort } from './harness.js';

const redis = testRedis('app-server');
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } }).privateKey;
const started: ChildProcess[] = [];

beforeAll(() => {
  // What `npm start` runs first (prestart); Jest's globalSetup already built lib/, so this only checks it is current.
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}, 60_000);
afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await redis.close();
});

interface Running {
  child: ChildProcess;
  url: string;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

async function start(env: NodeJS.ProcessEnv): Promise<Running> {
  const port = await freePort();
  const dead = await freePort(); // nothing listens there: a GitHub that never answers
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', GHE_HOST: `127.0.0.1:${dead}`, GHE_PROTOCOL: 'http', LOG_LEVEL: 'warn', HITL_REDIS_PREFIX: redis.prefix };
  const child = spawn(process.execPath, ['lib/server.js'], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => ({ stdout, stderr }), exited };
}

/** Polls until the server answers at all (it listens once Redis answered and the app loaded). */
async function ready(url: string, path = '/metrics', within = 15_000): Promise<void> {
  const until = Date.now() + within;
  for (;;) {
    try {
      await fetch(`${url}${path}`);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function until(met: () => boolean, within: number): Promise<void> {
  const deadline = Date.now() + within;
  while (!met()) {
    if (Date.now() > deadline) throw new Error(`not within ${within} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A smee.io channel on loopback: an event stream that, once the client is connected, sends each
 * delivery as smee.io does (GitHub's headers and the parsed body in one JSON message), signed with
 * the given secret.
 */
async function fakeSmeeChannel(deliveries: Array<{ secret: string; event: string; body: Record<string, unknown> }>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('event: ready\ndata: {}\n\n');
    setTimeout(() => {
      for (const delivery of deliveries) {
        const signature = `sha256=${createHmac('sha256', delivery.secret).update(JSON.stringify(delivery.body)).digest('hex')}`;
        const message = { 'x-github-event': delivery.event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature, body: delivery.body, timestamp: Date.now() };
        res.write(`data: ${JSON.stringify(message)}\n\n`);
      }
    }, 300);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hitl-channel`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms`)), ms).unref())]);

describe('npx hitl', () => {
  it('runs the built bin as an executable, as npx does', () => {
    const help = spawnSync('lib/cli/main.js', ['help'], { encoding: 'utf8' });
    expect(help.error).toBeUndefined();
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('hitl plan');
  });
});

describe('npm start', () => {
  it('serves webhooks (a bad signature is refused with 400) and /metrics, and exits 0 promptly on SIGTERM', async () => {
    const server = await start({ APP_ID: '123', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: `secret-${randomUUID()}`, REDIS_URL: 'redis://127.0.0.1:6379' });
    await ready(server.url);
    const webhook = await fetch(`${server.url}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }),
    });
    expect(webhook.status).toBe(400);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('# TYPE hitl_webhook_duration_seconds histogram');
    expect(text).toContain('process_cpu_user_seconds_total');
    server.child.kill('SIGTERM');
    expect(await withTimeout(server.exited, 10_000)).toBe(0);
    expect(server.output().stderr).not.toContain('BEGIN RSA PRIVATE KEY');
  }, 30_000);

  it('serves Probot’s setup page without APP_ID, with no Redis needed, registering the smee.io channel as the webhook URL', async () => {
    const smee = await fakeSmeeChannel([]);
    try {
      const server = await start({ REDIS_URL: 'redis://127.0.0.1:1', WEBHOOK_PROXY_URL: smee.url });
      await ready(server.url, '/probot');
      const page = await fetch(`${server.url}/probot`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/Register GitHub App/i);
      const manifest = JSON.parse(/name="manifest" id="manifest" value='([^']*)'/.exec(html)![1]!) as { hook_attributes: { url: string }; default_permissions: Record<string, string> };
      expect(manifest.hook_attributes.url).toBe(smee.url);
      expect(manifest.default_permissions.checks).toBe('write'); // the rest still comes from app.yml
      await until(() => server.output().stdout.includes(`registered with the webhook URL ${smee.url}`), 10_000);
      expect(server.output().stdout).not.toContain('ECONNREFUSED'); // no Redis is asked for
      server.child.kill('SIGTERM');
      await withTimeout(server.exited, 10_000);
    } finally {
      await smee.close();
    }
  }, 30_000);

  it('receives webhooks through the smee.io channel of WEBHOOK_PROXY_URL, still checking their signatures', async () => {
    const secret = `secret-${randomUUID()}`;
    const channel = await fakeSmeeChannel([
      { secret, event: 'ping', body: { zen: 'Design for failure.', hook_id: 7 } },
      { secret: 'not-the-secret', event: 'ping', body: { zen: 'Forged.', hook_id: 7 } },
    ]);
    try {
      const server = await start({ APP_ID: '123', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, REDIS_URL: 'redis://127.0.0.1:6379', WEBHOOK_PROXY_URL: channel.url, LOG_LEVEL: 'info' });
      const forwarded = `POST ${server.url}/api/github/webhooks`;
      await until(() => server.output().stdout.includes(`${forwarded} - 400`), 20_000);
      expect(server.output().stdout).toContain(`${forwarded} - 200`);
      expect(server.output().stdout).not.toContain('npm install --save-dev smee-client');
      server.child.kill('SIGTERM');
      expect(await withTimeout(server.exited, 10_000)).toBe(0);
    } finally {
      await channel.close();
    }
  }, 40_000);

  // Without a secret Probot verifies signatures against "development": anyone could forge a merge_group or a deployment approval.
  it.each([
    ['unset', {}],
    ['empty', { WEBHOOK_SECRET: '' }],
    ['Probot’s placeholder "development"', { WEBHOOK_SECRET: 'development' }],
  ])('exits 1 at start with one line naming WEBHOOK_SECRET when APP_ID is set and the secret is %s', async (_case, secret: NodeJS.ProcessEnv) => {
    const server = await start({ APP_ID: '123', PRIVATE_KEY: privateKey, REDIS_URL: 'redis://127.0.0.1:6379', ...secret });
    expect(await withTimeout(server.exited, 10_000)).toBe(1);
    const lines = server.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hitl: WEBHOOK_SECRET /);
  }, 30_000);

  it('exits 1 at once with one line saying how to get Redis when REDIS_URL does not answer', async () => {
    const server = await start({ APP_ID: '123', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: 'x', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await withTimeout(server.exited, 10_000)).toBe(1);
    const lines = server.output().stderr.trim().split('\n');
    expect(lines).toEqual(['hitl: cannot reach Redis at redis://127.0.0.1:1: start one (redis-server --port 6379) or set REDIS_URL']);
  }, 30_000);
});
