/**
 * The dashboard at /hitl and its JSON API at /hitl/api/{pending,audit,metrics}, as one Probot
 * route handler. Off (404) unless a token is configured; then every route but the login form
 * needs it. Read-only: nothing here changes a gate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadSuccessMetrics, type SuccessMetrics } from '../audit/success-metrics.js';
import type { AuditReader } from '../audit/types.js';
import type { PendingItem } from '../escalation/types.js';
import type { Clock } from '../util/clock.js';
import { createAuth, type DashboardAuth } from './auth.js';
import { auditPage, pendingRows, type PendingRow } from './data.js';
import { readSmallBody, requestUrl, sendHtml, sendJson, sendPlain, type RouteHandler } from './http.js';
import { dashboardPage, loginPage } from './pages.js';
import { parseAuditFilter, parseWindowChoice, type Parsed } from './query.js';

export interface DashboardOptions {
  /** HITL_DASHBOARD_TOKEN; unset or empty switches the dashboard off. */
  token: string | undefined;
  audit: AuditReader;
  pending: () => Promise<PendingItem[]>;
  clock: Clock;
  /** Where pull-request links point (GitHub Enterprise: https://<GHE_HOST>). */
  githubUrl?: string;
  /** Told when a store fails; the page itself only says which part could not be loaded. */
  onError?: (part: string, error: unknown) => void;
}

const LOGIN_BODY_LIMIT = 4096;

export function createDashboard(options: DashboardOptions): RouteHandler {
  const auth = options.token ? createAuth(options.token) : undefined;
  const githubUrl = (options.githubUrl ?? 'https://github.com').replace(/\/+$/, '');

  /** Runs one read; a failing store becomes a message for that part of the page, not a 500. */
  async function attempt<T>(part: string, read: () => Promise<T>): Promise<Parsed<T>> {
    try {
      return { ok: true, value: await read() };
    } catch (error) {
      options.onError?.(part, error);
      return { ok: false, error: `The ${part} could not be loaded; the server log says why.` };
    }
  }

  const readPending = (now: number): Promise<Parsed<PendingRow[]>> => attempt('pending checkpoints', async () => pendingRows(await options.pending(), now));

  async function page(req: IncomingMessage, res: ServerResponse): Promise<true> {
    const now = options.clock();
    const params = requestUrl(req).searchParams;
    const window = parseWindowChoice(params, now, 'window');
    const filter = parseAuditFilter(params, now);
    const [metrics, pending, audit] = await Promise.all([
      window.ok ? attempt('success metrics', () => loadSuccessMetrics(options.audit, { ...window.value, now })) : window,
      readPending(now),
      filter.ok ? attempt('audit log', () => auditPage(options.audit, filter.value)) : filter,
    ]);
    const field = (name: string) => params.get(name) ?? '';
    return sendHtml(res, 200, dashboardPage({
      now,
      githubUrl,
      windowLabel: window.ok ? window.value.label : '30d',
      metrics,
      pending,
      auditForm: { repo: field('repo'), actor: field('actor'), action: field('action'), since: field('since'), until: field('until') },
      audit,
    }));
  }

  async function api(name: string, req: IncomingMessage, res: ServerResponse): Promise<true> {
    const now = options.clock();
    const params = requestUrl(req).searchParams;
    let result: Parsed<unknown>;
    switch (name) {
      case 'pending': {
        const pending = await readPending(now);
        result = pending.ok ? { ok: true, value: { now, pending: pending.value } } : pending;
        break;
      }
      case 'audit': {
        const filter = parseAuditFilter(params, now);
        if (!filter.ok) return sendJson(res, 400, { error: filter.error });
        result = await attempt('audit log', () => auditPage(options.audit, filter.value));
        break;
      }
      case 'metrics': {
        const window = parseWindowChoice(params, now, 'since');
        if (!window.ok) return sendJson(res, 400, { error: window.error });
        result = await attempt<SuccessMetrics>('success metrics', () => loadSuccessMetrics(options.audit, { ...window.value, now }));
        break;
      }
      default:
        return sendJson(res, 404, { error: `no such API: ${name}; try pending, audit or metrics` });
    }
    return result.ok ? sendJson(res, 200, result.value) : sendJson(res, 503, { error: result.error });
  }

  async function login(req: IncomingMessage, res: ServerResponse, gate: DashboardAuth): Promise<true> {
    const body = await readSmallBody(req, LOGIN_BODY_LIMIT);
    if (!body.ok) return sendHtml(res, 413, loginPage('That form was too large.'));
    const token = new URLSearchParams(body.body).get('token') ?? '';
    if (!gate.tokenMatches(token)) return sendHtml(res, 401, loginPage('That token is not the dashboard token.'));
    return sendPlain(res, 303, 'Signed in\n', { Location: '/hitl', 'Set-Cookie': gate.sessionCookie(req) });
  }

  return async (req, res) => {
    const path = requestUrl(req).pathname.replace(/\/+$/, '') || '/';
    if (path !== '/hitl' && !path.startsWith('/hitl/')) return false;
    if (!auth) return sendPlain(res, 404, 'Not found\n');
    const method = req.method ?? 'GET';

    if (path === '/hitl/login' && method === 'POST') return login(req, res, auth);
    if (path === '/hitl/logout' && method === 'POST') {
      return sendPlain(res, 303, 'Signed out\n', { Location: '/hitl', 'Set-Cookie': auth.clearedCookie(req) });
    }
    const isApi = path.startsWith('/hitl/api/');
    if (method !== 'GET' && method !== 'HEAD') return sendPlain(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    if (!auth.isAuthorized(req)) {
      if (isApi) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="hitl"');
        return sendJson(res, 401, { error: 'send Authorization: Bearer <HITL_DASHBOARD_TOKEN>' });
      }
      return sendHtml(res, 401, loginPage());
    }
    if (isApi) return api(path.slice('/hitl/api/'.length), req, res);
    if (path === '/hitl') return page(req, res);
    return sendPlain(res, 404, 'Not found\n');
  };
}
