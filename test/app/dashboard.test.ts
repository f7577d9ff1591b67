/** The dashboard and /metrics served by Probot's own Server (as `npm start` does), on a loopback port. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { createHitl, type Hitl } from '../../src/index.js';
import { APP_ID, WEBHOOK_SECRET } from '../helpers/probot.js';
import { testRedis } from '../helpers/redis.js';
import { freePort } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
const TOKEN = 'dashboard-secret-for-tests';
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** createHitl loaded into Probot's Server; returns its base URL. */
async function serve(env: NodeJS.ProcessEnv): Promise<{ url: string; hitl: Hitl }> {
  const redis = testRedis('app-web');
  const hitl = await createHitl({ env: { HITL_REDIS_PREFIX: redis.prefix, APP_ID: String(APP_ID), ...env }, clock: () => NOW, defaultMetrics: false, spaceWrites: false });
  const port = await freePort();
  const log = pino({ level: 'silent' });
  const server = new Server({ port, host: '127.0.0.1', log, Probot: Probot.defaults({ appId: APP_ID, privateKey: 'unused-in-these-tests', secret: WEBHOOK_SECRET, log }) });
  await server.load(hitl.app);
  await server.start();
  stops.push(async () => {
    await server.stop();
    await hitl.close();
    await redis.close();
  });
  return { url: `http://127.0.0.1:${port}`, hitl };
}

describe('the dashboard behind Probot’s server', () => {
  it('is not there (404) when HITL_DASHBOARD_TOKEN is unset, while /metrics is', async () => {
    const { url } = await serve({});
    expect((await fetch(`${url}/hitl`)).status).toBe(404);
    expect((await fetch(`${url}/hitl/api/pending`)).status).toBe(404);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE hitl_bypasses_total counter');
  });

  it('answers 401 without the token, 200 with it, and /hitl/api/pending as JSON', async () => {
    const { url, hitl } = await serve({ HITL_DASHBOARD_TOKEN: TOKEN });
    const target = { installationId: 1, owner: 'acme', repo: 'widgets', number: 2, item: 'security_review' };
    // Its climb starts in a day: nothing runs during the test.
    await hitl.engine.ensure({ ...target, since: NOW - 3_600_000, deadline: NOW + 86_400_000, escalateAt: NOW + 86_400_000, levels: [], notify: { channels: [], fromLevel: 3 } });
    expect((await fetch(`${url}/hitl`)).status).toBe(401);
    expect((await fetch(`${url}/hitl/api/pending`)).status).toBe(401);
    expect((await fetch(`${url}/hitl/api/pending`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const page = await fetch(`${url}/hitl`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const pending = await fetch(`${url}/hitl/api/pending`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(pending.status).toBe(200);
    expect(pending.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await pending.json()).toEqual({ now: NOW, pending: [expect.objectContaining({ ...target, ageMs: 3_600_000, remainingMs: 86_400_000 })] });
  });
});
