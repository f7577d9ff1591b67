import { afterEach, describe, expect, it } from '@jest/globals';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { computeSuccessMetrics } from '../../src/audit/success-metrics.js';
import { createDashboard } from '../../src/web/dashboard.js';
import { html } from '../../src/web/html.js';
import type { RouteHandler } from '../../src/web/http.js';
import { entry, fixtureAuditLog, H, NOW, SINCE } from '../metrics/audit-log.js';
import { PENDING, seededDashboard, TOKEN } from './fixtures.js';
import { serve, type Served } from './serve.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(handler: RouteHandler | Promise<RouteHandler>): Promise<string> {
  served = await serve(await handler);
  return served.url;
}

const bearer = { Authorization: `Bearer ${TOKEN}` };

describe('switched off', () => {
  it('answers 404 on every /hitl path when no token is set, and leaves other paths alone', async () => {
    const url = await start(seededDashboard({ token: undefined }));
    for (const path of ['/hitl', '/hitl/', '/hitl/api/pending', '/hitl/login']) {
      const res = await fetch(`${url}${path}`, { headers: bearer });
      expect([path, res.status, await res.text()]).toEqual([path, 404, 'Not found\n']);
    }
    // The test server's own fallback: the dashboard returned false.
    await expect((await fetch(`${url}/hitlx`)).text()).resolves.toBe('not found');
    expect((await fetch(`${url}/hitl`, { headers: { Authorization: 'Bearer ' } })).status).toBe(404);
  });

  it('treats an empty token as unset', async () => {
    const url = await start(seededDashboard({ token: '' }));
    expect((await fetch(`${url}/hitl`)).status).toBe(404);
  });
});

describe('the token', () => {
  it('is required by the JSON API: none or a wrong one is 401 with a Bearer challenge', async () => {
    const url = await start(seededDashboard());
    const attempts: Array<Record<string, string>> = [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Basic ${TOKEN}` }, { Cookie: `hitl_session=${TOKEN}` }];
    for (const headers of attempts) {
      const res = await fetch(`${url}/hitl/api/pending`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="hitl"');
    }
  });

  it('signs a browser in with an HttpOnly SameSite=Strict cookie that does not contain the token, and out again', async () => {
    const url = await start(seededDashboard());
    const login = await fetch(`${url}/hitl/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/hitl');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^hitl_session=[0-9a-f]{64}; Path=\/hitl; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    expect((await fetch(`${url}/hitl/api/pending`, { headers: { Cookie: session } })).status).toBe(200);

    const logout = await fetch(`${url}/hitl/logout`, { method: 'POST', redirect: 'manual' });
    expect(logout.headers.get('set-cookie')).toBe('hitl_session=; Path=/hitl; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('marks the cookie Secure behind an HTTPS proxy, and a session of another token does not open this one', async () => {
    const url = await start(seededDashboard());
    const login = await fetch(`${url}/hitl/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), headers: { 'X-Forwarded-Proto': 'https' }, redirect: 'manual' });
    expect(login.headers.get('set-cookie')).toContain('; Secure');
    const session = login.headers.get('set-cookie')!.split(';')[0]!;
    await served!.close();
    const other = await start(seededDashboard({ token: 'another-token' }));
    expect((await fetch(`${other}/hitl/api/pending`, { headers: { Cookie: session } })).status).toBe(401);
  });

  it('refuses a wrong token on the form and a body over 4 KiB', async () => {
    const url = await start(seededDashboard());
    const wrong = await fetch(`${url}/hitl/login`, { method: 'POST', body: new URLSearchParams({ token: 'guess' }), redirect: 'manual' });
    expect([wrong.status, wrong.headers.get('set-cookie')]).toEqual([401, null]);
    const huge = await fetch(`${url}/hitl/login`, { method: 'POST', body: 'token=' + 'x'.repeat(5000), redirect: 'manual' });
    expect(huge.status).toBe(413);
  });
});

describe('the JSON API', () => {
  it('serves pending items, nearest deadline first, with their age and time left', async () => {
    const url = await start(seededDashboard());
    const body = (await (await fetch(`${url}/hitl/api/pending`, { headers: bearer })).json()) as { now: number; pending: Array<{ repo: string; number: number }> };
    expect(body.now).toBe(NOW);
    expect(body.pending.map((p) => `${p.repo}#${p.number}`)).toEqual(['api#5', 'api#12', 'web#22', 'mobile#7', 'web#21']);
    // web#21: pending since now−3h, deadline now+21h.
    expect(body.pending[4]).toMatchObject({ ...PENDING[3], ageMs: 3 * H, remainingMs: 21 * H });
  });

  it('serves the audit log newest first, filtered, with the total before the limit', async () => {
    const url = await start(seededDashboard());
    const res = await fetch(`${url}/hitl/api/audit?repo=acme/api&action=approved&limit=2`, { headers: bearer });
    const body = (await res.json()) as { total: number; entries: Array<{ at: number }> };
    // approved in acme/api within 30 days: api#8 ×2, api#6, api#2, api#1 ×2 = 6; newest: api#8 at now−2d+3h, now−3d+1h.
    expect(body.total).toBe(6);
    expect(body.entries.map((e) => e.at)).toEqual([NOW - 48 * H + 3 * H, NOW - 72 * H + H]);
  });

  it('serves the success metrics the report computes', async () => {
    const url = await start(seededDashboard());
    const body = await (await fetch(`${url}/hitl/api/metrics?since=30d&weeks=4`, { headers: bearer })).json();
    expect(body).toEqual(JSON.parse(JSON.stringify(computeSuccessMetrics(fixtureAuditLog(), { since: SINCE, now: NOW, weeks: 4 }))));
  });

  it('answers 400 with the reason for a bad filter and 404 for an unknown API', async () => {
    const url = await start(seededDashboard());
    const cases: Array<[string, number, string]> = [
      ['audit?action=deleted', 400, 'action: "deleted" is not an audit action'],
      ['audit?repo=../etc', 400, 'repo: "../etc" is not owner/name'],
      ['audit?limit=0', 400, 'limit: "0" is not a whole number from 1 to 1000'],
      ['audit?until=soon', 400, 'until: "soon" is not a time; write 2025-03-01, 2025-03-01T09:30 (UTC) or a duration such as 7d'],
      ['metrics?since=5y', 400, 'since: "5y" is not a duration: write e.g. 90s, 30m, 2h, 1d or 24_hours'],
      ['metrics?weeks=100', 400, 'weeks: "100" is not a whole number from 2 to 26'],
      ['secrets', 404, 'no such API: secrets; try pending, audit or metrics'],
    ];
    for (const [path, status, error] of cases) {
      const res = await fetch(`${url}/hitl/api/${path}`, { headers: bearer });
      expect([path, res.status, await res.json()]).toEqual([path, status, { error }]);
    }
  });

  it('answers 503 when a store fails, tells onError, and does not echo the error', async () => {
    const told: string[] = [];
    const failing = createDashboard({
      token: TOKEN,
      audit: { query: async () => Promise.reject(new Error('redis://:hunter2@cache:6379 refused')) },
      pending: async () => Promise.reject(new Error('down')),
      clock: () => NOW,
      onError: (part) => told.push(part),
    });
    const url = await start(failing);
    const res = await fetch(`${url}/hitl/api/audit`, { headers: bearer });
    expect([res.status, await res.json()]).toEqual([503, { error: 'The audit log could not be loaded; the server log says why.' }]);
    const page = await (await fetch(`${url}/hitl`, { headers: bearer })).text();
    expect(page).toContain('The pending checkpoints could not be loaded');
    expect(page).not.toContain('hunter2');
    expect(told.sort()).toEqual(['audit log', 'audit log', 'pending checkpoints', 'success metrics']);
  });
});

describe('the page', () => {
  it('escapes what the audit log and the query string carry, and forbids scripts by policy', async () => {
    const audit = new MemoryAuditSink();
    await audit.record(entry({ at: NOW - H, actor: '"><img src=x onerror=alert(1)>', action: 'rejected', reason: '<script>alert(1)</script>', checkpoint: '<b>x</b>' }));
    const url = await start(createDashboard({ token: TOKEN, audit, pending: async () => [], clock: () => NOW }));
    const res = await fetch(`${url}/hitl?repo=${encodeURIComponent('"><script>alert(2)</script>')}`, { headers: bearer });
    const page = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page).not.toMatch(/<script|<img|<b>x/);
    expect(page).toContain('repo: &quot;&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot; is not owner/name');
    // With the bad filter the log is not shown; without it, the hostile entry is text.
    const clean = await (await fetch(`${url}/hitl`, { headers: bearer })).text();
    expect(clean).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(clean).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(clean).not.toMatch(/<script|<img|<b>x/);
  });

  it('only answers GET and HEAD on the page and the API', async () => {
    const url = await start(seededDashboard());
    expect((await fetch(`${url}/hitl/api/pending`, { method: 'DELETE', headers: bearer })).status).toBe(405);
  });
});

describe('the html template', () => {
  it('escapes interpolated text, keeps nested templates, and drops false, null and undefined', () => {
    const inner = html`<i>${'a&b'}</i>`;
    expect(html`<p title="${`"'`}">${inner}${false}${null}${undefined}${[1, html`<br>`]}</p>`.value).toBe('<p title="&quot;&#39;"><i>a&amp;b</i>1<br></p>');
  });
});
