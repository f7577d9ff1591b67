/** The production factory, wired end to end: real Redis under a test prefix, GitHub faked with nock. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { createHitl, type Hitl } from '../../src/index.js';
import { checkRunCreated, expectWrite, github, mockConfig, mockFiles, mockNoOrgConfig, mockToken } from '../helpers/github.js';
import { testProbot } from '../helpers/probot.js';
import { testRedis } from '../helpers/redis.js';
import { pullRequestEvent } from '../helpers/webhooks.js';

const redis = testRedis('app');
const NOW = Date.parse('2026-11-24T11:00:00Z');
let hitl: Hitl;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  hitl = await createHitl({ env: { HITL_REDIS_PREFIX: redis.prefix, APP_ID: '123' }, clock: () => NOW, defaultMetrics: false, spaceWrites: false });
});
afterAll(async () => {
  await hitl.close();
  await redis.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('the wired app', () => {
  it('fails fast when Redis does not answer, leaving no timer that would hold the process open', async () => {
    const original = globalThis.setTimeout;
    const armed: NodeJS.Timeout[] = [];
    const spy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const timer = original(...args);
      if (new Error().stack?.includes('ioredis')) armed.push(timer);
      return timer;
    }) as typeof setTimeout);
    try {
      await expect(createHitl({ env: { REDIS_URL: 'redis://127.0.0.1:1', APP_ID: '123' }, defaultMetrics: false })).rejects.toThrow();
    } finally {
      spy.mockRestore();
    }
    await new Promise((resolve) => setImmediate(resolve));
    // A Redis client's timer still armed here would keep the process (or Jest) alive after the failure.
    const live = (t: NodeJS.Timeout) => t.hasRef() && !(t as unknown as { _destroyed: boolean })._destroyed;
    expect(armed.filter(live)).toEqual([]);
  });

  it('refuses to start without a numeric APP_ID, by which its own check runs are told apart from look-alikes', async () => {
    await expect(createHitl({ env: { HITL_REDIS_PREFIX: redis.prefix }, defaultMetrics: false })).rejects.toThrow('APP_ID must be this GitHub App\'s numeric id (got "")');
    await expect(createHitl({ env: { HITL_REDIS_PREFIX: redis.prefix, APP_ID: 'hitl' }, defaultMetrics: false })).rejects.toThrow('(got "hitl")');
  });

  it('posts the check for an opened PR, writes its audit entries to the Redis stream and counts them in /metrics', async () => {
    const probot = testProbot();
    const handlers: Array<(req: unknown, res: unknown) => unknown> = [];
    await probot.load((app) => hitl.app(app, { addHandler: (h: never) => void handlers.push(h), cwd: process.cwd() } as never));
    const scope = github();
    mockToken(scope);
    mockConfig(scope, 'classification: { peer_review_max_lines: 200 }\n');
    mockNoOrgConfig(scope);
    mockFiles(scope, [{ path: 'src/widget.ts', additions: 10 }]);
    const checks = checkRunCreated(scope, 11);
    const created = expectWrite(scope, 'post', '/labels', {}, 201);
    const labelled = expectWrite(scope, 'post', '/issues/2/labels', [{ name: 'hitl:peer-review' }]);
    await probot.receive({ id: 'app-1', name: 'pull_request', payload: pullRequestEvent('opened') } as never);
    expect(scope.pendingMocks()).toEqual([]);
    expect(checks).toEqual([expect.objectContaining({ name: 'hitl', head_sha: 'head1', status: 'in_progress' })]);
    expect(created).toEqual([expect.objectContaining({ name: 'hitl:peer-review' })]);
    expect(labelled).toEqual([{ labels: ['hitl:peer-review'] }]);

    const stored = await hitl.audit.query({ repo: 'acme/widgets' });
    expect(stored.map((e) => e.action)).toEqual(['checkpoint_opened', 'gate_evaluated']);
    expect(await redis.redis.xlen(`${redis.prefix}audit`)).toBe(2);
    const text = await hitl.metrics.registry.metrics();
    expect(text).toMatch(/hitl_webhook_duration_seconds_count\{event="pull_request"\} 1/);
    expect(handlers).toHaveLength(2);
    expect((await hitl.engine.listPending()).map((p) => p.item)).toEqual(['peer_review']);
  });
});
