/**
 * The local GitHub stand-in: a node:http server on loopback that answers the REST endpoints a PR-gate
 * app uses (under `/api/v3`, as GitHub Enterprise Server does, and at the root), keeps GitHub's state
 * in memory, logs every call per installation, and can add latency, inject faults and police
 * GitHub's secondary write limits. Benchmarks and fault-tolerance tests point the app at it.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../util/clock.js';
import { CallLog, type RecordedKind } from './calls.js';
import { Faults, rateLimitReply } from './faults.js';
import { githubError, type Body, type Reply } from './http.js';
import { callKind, compileRoutes, runHandler, type RouteMatch } from './router.js';
import { appRoutes } from './routes/apps.js';
import { checkRoutes } from './routes/checks.js';
import { issueRoutes } from './routes/issues.js';
import { pullRoutes } from './routes/pulls.js';
import { repoRoutes } from './routes/repos.js';
import { StandInState } from './state.js';

export interface StandInOptions {
  /** Added to every call before it is answered, ms (e.g. 50 to mimic a real network). */
  latencyMs?: number;
  /** Drives timestamps, fault time spans and the write-limit windows. */
  clock?: Clock;
  appId?: number;
  /** The login the app acts as (comments, reactions, events). */
  appLogin?: string;
  /** `measure` records write-limit violations; `enforce` also answers them with a secondary rate limit. */
  writeLimits?: 'measure' | 'enforce';
  /** Larger request bodies get 413. */
  maxBodyBytes?: number;
}

export interface StandIn {
  /** `http://127.0.0.1:<port>/api/v3`: give it to Octokit as `baseUrl`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>`: the same endpoints without the GHES prefix. */
  readonly rootUrl: string;
  readonly port: number;
  readonly state: StandInState;
  readonly calls: CallLog;
  readonly faults: Faults;
  /** Errors thrown inside the stand-in itself (answered 500): a test can assert there were none. */
  readonly internalErrors: Error[];
  setLatency(ms: number): void;
  /** Environment that points a Probot app here the Probot way. */
  probotEnv(): { GHE_HOST: string; GHE_PROTOCOL: 'http' };
  stop(): Promise<void>;
}

const ROUTES = [...appRoutes, ...repoRoutes, ...pullRoutes, ...issueRoutes, ...checkRoutes];
const match = compileRoutes(ROUTES);
const GHES_PREFIX = '/api/v3';
const HOURLY_LIMIT = 5000;

/** What the stand-in knows about a request once it has arrived. */
interface Incoming {
  method: string;
  url: URL;
  /** Without the `/api/v3` prefix. */
  path: string;
  found: RouteMatch | null;
  installationId: number | null;
  authorized: boolean;
  /** Set when the write limits are enforced and this call broke them. */
  retryAfterMs: number | null;
  /** The raw body, or null when it was over the size limit. */
  text: string | null;
}

/** The body as text, or null when it is larger than allowed (drained, so the answer can still be sent). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? null : Buffer.concat(chunks).toString('utf8');
}

/** Empty → {}; JSON objects only (every endpoint here takes an object); anything else → null. */
function parseBody(text: string): Body | null {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Body) : null;
  } catch {
    return null;
  }
}

function bearerToken(req: IncomingMessage): string | null {
  const found = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return found?.[1] ?? null;
}

/** GitHub's conditional requests: a weak ETag over the JSON, and 304 when If-None-Match matches. */
function withEtag(req: IncomingMessage, reply: Reply, payload: string): Reply {
  const etag = `W/"${createHash('sha256').update(payload).digest('hex').slice(0, 40)}"`;
  const headers = { ...reply.headers, etag };
  const wanted = (req.headers['if-none-match'] ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return wanted.includes(etag.replace(/^W\//, '')) ? { status: 304, headers } : { ...reply, headers };
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const clock = options.clock ?? systemClock;
  const state = new StandInState(clock, options.appId ?? 1);
  const calls = new CallLog();
  const faults = new Faults(clock);
  const internalErrors: Error[] = [];
  const used = new Map<number, number>();
  const appLogin = options.appLogin ?? 'hitl[bot]';
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  let latencyMs = options.latencyMs ?? 0;

  /** Decides the answer for one request; the caller records and sends it. */
  async function answer(request: Incoming): Promise<{ reply: Reply; fault?: string }> {
    const { found, installationId } = request;
    if (latencyMs > 0) await sleep(latencyMs);
    const fault = faults.take({ method: request.method, path: request.path, route: found?.route.name ?? 'unknown', installationId });
    if (fault) return { reply: fault.reply, fault: fault.kind };
    if (!found) return { reply: githubError(404, 'Not Found') };
    if (request.text === null) return { reply: githubError(413, 'Payload Too Large') };
    if (!request.authorized) return { reply: githubError(401, 'Requires authentication') };
    if (callKind(found.route) !== 'auth' && installationId === null) return { reply: githubError(401, 'Bad credentials') };
    if (request.retryAfterMs !== null) return { reply: rateLimitReply(403, request.retryAfterMs / 1000), fault: 'enforced-secondary-limit' };
    const body = parseBody(request.text);
    if (body === null) return { reply: githubError(400, 'Problems parsing JSON') };
    return { reply: runHandler(found.route, { params: found.params, url: request.url, body, installationId, actor: appLogin, state }) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = clock();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname.startsWith(`${GHES_PREFIX}/`) ? url.pathname.slice(GHES_PREFIX.length) : url.pathname;
    const method = req.method ?? 'GET';
    const found = match(method, path);
    const kind: RecordedKind = found ? callKind(found.route) : 'unknown';
    const token = bearerToken(req);
    const installationId = found?.route.name === 'apps.createInstallationAccessToken' ? Number(found.params.installation_id) : token ? state.installationForToken(token) : null;
    const route = found?.route.name ?? 'unknown';
    const contentCreating = found?.route.contentCreating ?? false;
    // Admitted on arrival, before any added latency, so concurrent writes are seen as concurrent.
    const { retryAfterMs } = calls.admit({ installationId, kind, contentCreating, route }, at, options.writeLimits === 'enforce');
    const text = await readBody(req, maxBodyBytes);

    let outcome: { reply: Reply; fault?: string };
    try {
      outcome = await answer({ method, url, path, found, installationId, authorized: req.headers.authorization !== undefined, retryAfterMs, text });
    } catch (error) {
      internalErrors.push(error instanceof Error ? error : new Error(String(error)));
      outcome = { reply: githubError(500, 'stand-in internal error'), fault: 'stand-in-error' };
    }
    let { reply } = outcome;
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    if (method === 'GET' && reply.status === 200) reply = withEtag(req, reply, payload);

    const record = calls.record({ at, installationId, method, path, route, kind, contentCreating, status: reply.status, ...(outcome.fault ? { fault: outcome.fault } : {}) });
    // 304s are free on GitHub; the count does not roll over hourly (runs are shorter than that).
    if (installationId !== null && reply.status !== 304) used.set(installationId, (used.get(installationId) ?? 0) + 1);
    const usedByCaller = installationId === null ? 0 : (used.get(installationId) ?? 0);
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': `STANDIN:${record.seq}`,
      'x-ratelimit-limit': String(HOURLY_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, HOURLY_LIMIT - usedByCaller)),
      'x-ratelimit-used': String(usedByCaller),
      'x-ratelimit-reset': String(Math.ceil(at / 3_600_000) * 3600),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    });
    res.end(reply.status === 304 || reply.status === 204 ? undefined : payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      internalErrors.push(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const rootUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${rootUrl}${GHES_PREFIX}`,
    rootUrl,
    port,
    state,
    calls,
    faults,
    internalErrors,
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    probotEnv: () => ({ GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: 'http' }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
