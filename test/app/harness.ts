/**
 * The production factory under test: one createHitl on real Redis (own prefix), loaded into a
 * test Probot, its route handlers collected; GitHub is nock. Unmatched requests are kept, so a
 * test can show that nothing it did not expect was asked of GitHub.
 */
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import nock from 'nock';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Probot } from 'probot';
import { createHitl, type Hitl } from '../../src/index.js';
import { checkRunCreated, expectWrite, mockConfig, mockFiles, mockNoOrgConfig, mockToken } from '../helpers/github.js';
import { testProbot } from '../helpers/probot.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;

export interface AppUnderTest {
  hitl: Hitl;
  probot: Probot;
  handlers: RouteHandler[];
  redis: TestRedis;
  /** Requests nock could not match since the last call to `unmatched()`. */
  unmatched(): string[];
  deliver(name: string, payload: unknown): Promise<void>;
  /** Mocks what the app reads only once and then caches (installation token, the org's defaults). */
  firstContact(scope: nock.Scope, mock: () => void): void;
  close(): Promise<void>;
}

let delivery = 0;

export async function startApp(area: string, now: () => number, env: NodeJS.ProcessEnv = {}): Promise<AppUnderTest> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const redis = testRedis(area);
  const hitl = await createHitl({ env: { HITL_REDIS_PREFIX: redis.prefix, APP_ID: '123', ...env }, clock: now, defaultMetrics: false, spaceWrites: false });
  const probot = testProbot();
  const handlers: RouteHandler[] = [];
  await probot.load((app) => hitl.app(app, { addHandler: (h: RouteHandler) => void handlers.push(h), cwd: process.cwd() } as never));
  let missed: string[] = [];
  // Loopback requests (our own server) pass through nock as "no match" too: only GitHub's count.
  const onMiss = (req: { method?: string; path?: string; host?: string; hostname?: string }) => {
    if ((req.hostname ?? req.host ?? '').startsWith('127.0.0.1')) return;
    missed.push(`${req.method} ${req.path}`);
  };
  nock.emitter.on('no match', onMiss);
  let contacted = false;
  return {
    hitl,
    probot,
    handlers,
    redis,
    unmatched: () => {
      const seen = missed;
      missed = [];
      return seen;
    },
    firstContact(_scope, mock) {
      if (!contacted) mock();
      contacted = true;
    },
    deliver: (name, payload) => probot.receive({ id: `${area}-${++delivery}`, name, payload } as never),
    async close() {
      nock.emitter.removeListener('no match', onMiss);
      await hitl.close();
      await redis.close();
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/** Serves route handlers on a loopback port the way Probot's server chains them (first to answer wins, else 404). */
export async function serveHandlers(handlers: readonly RouteHandler[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Prometheus text as sample → value (`name{labels}` keys, as exposed). */
export function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) map.set(match[1]!, Number(match[2]));
  }
  return map;
}

/** A loopback port free right now (Probot's Server treats port 0 as "use 3000"). */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** One app for a whole test file: started before its tests (handed to `started`), nock cleaned after each, closed after all. */
export function appForFile(area: string, now: () => number, started: (app: AppUnderTest) => void): void {
  let app: AppUnderTest | undefined;
  beforeAll(async () => {
    app = await startApp(area, now);
    started(app);
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    await app?.close();
  });
}

/** Two people who may approve peer review, and nothing else: a 150-line src/ change asks them. */
export const PEER_REVIEW_CONFIG = `
roles:
  reviewers: ["carol", "dave"]
approval_workflows:
  peer_review: { approver: reviewers }
`;

/** After an event: GitHub was asked exactly what the scope expected, nothing more, nothing less. */
export function expectOnly(app: AppUnderTest, scope: nock.Scope): void {
  expect(app.unmatched()).toEqual([]);
  expect(scope.pendingMocks()).toEqual([]);
}

/**
 * What opening PR `number` (one 150-line file under src/: peer review) reads and writes before
 * reviewers are asked: config and files, the `hitl` check (its bodies are returned), the
 * workflow label, created in the repository the first time (`newLabel`).
 */
export function mockPeerReviewOpening(app: AppUnderTest, scope: nock.Scope, options: { number: number; config: string; checkId: number; newLabel: boolean }): any[] {
  app.firstContact(scope, () => {
    mockToken(scope);
    mockNoOrgConfig(scope);
  });
  mockConfig(scope, options.config);
  mockFiles(scope, [{ path: 'src/widgets.ts', additions: 150 }], options.number);
  const checks = checkRunCreated(scope, options.checkId);
  if (options.newLabel) expectWrite(scope, 'post', '/labels', {}, 201);
  expectWrite(scope, 'post', `/issues/${options.number}/labels`, [{ name: 'hitl:peer-review' }]);
  return checks;
}
