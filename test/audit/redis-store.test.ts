import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisAuditStore, type RedisAuditStoreOptions } from '../../src/audit/redis-store.js';
import type { AuditAction, AuditEntry } from '../../src/audit/types.js';
import { runAuditExport } from '../../src/cli/audit-export.js';
import { deletePrefix, pings, PrivateRedis, testPrefix } from './redis-server.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const ACTIONS: AuditAction[] = ['approved', 'rejected', 'held', 'unheld', 'bypassed', 'unbypassed', 'auto_approved', 'escalated', 'compliance_violation'];

function entry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: T0 + n * 60_000,
    installationId: 42,
    repo: n % 2 === 0 ? 'acme/api' : 'acme/web',
    pr: 100 + n,
    headSha: `sha${n}`.padEnd(40, '0'),
    actor: n % 3 === 0 ? 'alice' : 'bob',
    action: ACTIONS[n % ACTIONS.length]!,
    checkpoint: 'security_review',
    workflow: 'expert',
    reason: `decision ${n} with "quotes" and ünïcode`,
    configVersion: 'abc123',
    details: { kind: 'emergency', level: n, final: n % 2 === 0 },
    ...overrides,
  };
}

const memoryLog = () => {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) } };
};

async function exportLines(port: number, prefix: string, argv: string[] = []): Promise<{ code: number; lines: string[]; stderr: string }> {
  let out = '';
  let err = '';
  const code = await runAuditExport(
    argv,
    { stdout: { write: (s) => ((out += s), true) }, stderr: { write: (s) => ((err += s), true) }, env: { REDIS_URL: `redis://127.0.0.1:${port}`, HITL_REDIS_PREFIX: prefix } },
    T0 + 3_600_000,
  );
  return { code, lines: out.split('\n').filter(Boolean), stderr: err };
}

describe('RedisAuditStore on the shared Redis', () => {
  const redis = new Redis({ maxRetriesPerRequest: 1 });
  const prefix = testPrefix('audit');
  const store = new RedisAuditStore({ redis, prefix });
  afterAll(async () => {
    await store.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  beforeAll(async () => {
    for (let n = 0; n < 12; n++) await store.record(entry(n));
  });

  it('stores each entry under a stream id taken from its time', async () => {
    const all = await store.query({});
    expect(all).toHaveLength(12);
    expect(all.map((e) => Number(e.id!.split('-')[0]))).toEqual(all.map((e) => e.at));
  });

  it('filters by time range, repo, actor and action, with a limit', async () => {
    const range = await store.query({ since: T0 + 2 * 60_000, until: T0 + 5 * 60_000 });
    expect(range.map((e) => e.pr)).toEqual([102, 103, 104, 105]);
    expect((await store.query({ repo: 'ACME/api' })).every((e) => e.repo === 'acme/api')).toBe(true);
    expect((await store.query({ repo: 'acme/api' })).map((e) => e.pr)).toEqual([100, 102, 104, 106, 108, 110]);
    expect((await store.query({ actor: 'alice' })).map((e) => e.pr)).toEqual([100, 103, 106, 109]);
    expect((await store.query({ action: 'bypassed' })).map((e) => e.pr)).toEqual([104]);
    expect((await store.query({ limit: 3 })).map((e) => e.pr)).toEqual([100, 101, 102]);
  });

  it('lists newest first for the dashboard', async () => {
    expect((await store.query({ newestFirst: true, limit: 3 })).map((e) => e.pr)).toEqual([111, 110, 109]);
    expect((await store.query({ newestFirst: true, repo: 'acme/web', until: T0 + 6 * 60_000 })).map((e) => e.pr)).toEqual([105, 103, 101]);
  });

  it('keeps an entry that arrives after a later one, and still finds it by its time', async () => {
    const late = entry(3, { pr: 999, reason: 'late arrival' });
    await store.record(late);
    const found = await store.query({ since: late.at, until: late.at });
    expect(found.map((e) => e.pr)).toEqual([103, 999]);
  });

  it('pages through more entries than one read returns', async () => {
    const bulkPrefix = testPrefix('audit-bulk');
    const bulk = new RedisAuditStore({ redis, prefix: bulkPrefix });
    for (let n = 0; n < 1_203; n++) await bulk.record(entry(n));
    expect(await bulk.query({})).toHaveLength(1_203);
    expect((await bulk.query({ newestFirst: true, limit: 700 })).at(-1)!.pr).toBe(100 + 1_203 - 700);
    await bulk.close();
    await deletePrefix(redis, bulkPrefix);
  });

  it('skips a damaged entry instead of failing the query', async () => {
    await redis.xadd(store.key, `${T0 + 30 * 60_000}-*`, 'entry', '{not json');
    await redis.xadd(store.key, `${T0 + 31 * 60_000}-*`, 'other', 'field');
    expect(await store.query({ since: T0 + 30 * 60_000 })).toEqual([]);
  });
});

describe('audit export and a Redis that goes away', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await PrivateRedis.start();
  });
  afterAll(async () => {
    await server.destroy();
  });
  afterEach(async () => {
    if (!(await pings(server.port))) await server.up();
  });

  /** A store as one app process holds it: its own connection to the private server, closed afterwards. */
  async function withStore(area: string, options: Partial<RedisAuditStoreOptions>, run: (store: RedisAuditStore, prefix: string) => Promise<void>) {
    const prefix = options.prefix ?? testPrefix(area);
    const redis = await server.connect();
    const store = new RedisAuditStore({ ...options, redis, prefix });
    try {
      await run(store, prefix);
    } finally {
      await store.close();
      redis.disconnect();
    }
  }

  it('round-trips every decision through JSON Lines after the app restarts', async () => {
    const prefix = testPrefix('export');
    const written = Array.from({ length: 20 }, (_, n) => entry(n));
    await withStore('export', { prefix }, async (before) => {
      for (const e of written) await before.record(e);
    });
    // The app restarts: a new store on the same Redis sees everything the old one wrote.
    await withStore('export', { prefix }, async (after) => {
      await after.record(entry(20));
      const { code, lines } = await exportLines(server.port, prefix);
      expect(code).toBe(0);
      const parsed = lines.map((l) => JSON.parse(l) as AuditEntry);
      expect(parsed.map(({ id: _id, ...rest }) => rest)).toEqual([...written, entry(20)]);
      expect(parsed.every((e) => typeof e.id === 'string')).toBe(true);
    });
  });

  it('loses nothing while Redis is briefly down and writes the waiting entries in order', async () => {
    const { lines: logLines, log } = memoryLog();
    await withStore('outage', { retryMs: 50, log }, async (store, prefix) => {
      await store.record(entry(0));
      await server.down();
      for (let n = 1; n <= 5; n++) await store.record(entry(n));
      expect(store.buffered).toBe(5);
      expect(logLines.some((l) => l.includes('Redis unavailable'))).toBe(true);
      await server.up();
      await waitUntil(() => store.buffered === 0);
      const { lines } = await exportLines(server.port, prefix);
      expect(lines.map((l) => (JSON.parse(l) as AuditEntry).pr)).toEqual([100, 101, 102, 103, 104, 105]);
    });
  });

  it('says so clearly when the buffer bound is hit, and keeps the entries it had', async () => {
    const { lines: logLines, log } = memoryLog();
    await withStore('bound', { maxBuffered: 2, retryMs: 50, log }, async (store) => {
      await server.down();
      for (let n = 0; n < 4; n++) await store.record(entry(n));
      expect(store.buffered).toBe(2);
      expect(store.dropped).toBe(2);
      expect(logLines.filter((l) => l.includes('buffer full'))).toHaveLength(1);
      await server.up();
      await waitUntil(() => store.buffered === 0);
      expect((await store.query({})).map((e) => e.pr)).toEqual([100, 101]);
      expect(logLines.some((l) => l.includes('2 entries were dropped'))).toBe(true);
    });
  });

  it('filters the export by --since and --repo', async () => {
    await withStore('filter', {}, async (store, prefix) => {
      for (let n = 0; n < 10; n++) await store.record(entry(n));
      const since = await exportLines(server.port, prefix, ['--since', new Date(T0 + 5 * 60_000).toISOString(), '--repo', 'acme/web']);
      expect(since.lines.map((l) => (JSON.parse(l) as AuditEntry).pr)).toEqual([105, 107, 109]);
      // now is T0 + 1 h: 56 minutes back is T0 + 4 min.
      const relative = await exportLines(server.port, prefix, ['--since', '56m']);
      expect(relative.lines.map((l) => (JSON.parse(l) as AuditEntry).pr)).toEqual([104, 105, 106, 107, 108, 109]);
    });
  });

  it('refuses bad arguments with usage and exit code 2', async () => {
    for (const argv of [['--since', 'yesterday-ish'], ['--repo', 'not a repo'], ['--since'], ['--verbose', 'x']]) {
      const { code, stderr, lines } = await exportLines(server.port, 'unused:', argv);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^hitl audit export: .+\nUsage: hitl audit export/);
      expect(lines).toEqual([]);
    }
  });

  it('answers in one line with exit code 1 when Redis cannot be reached', async () => {
    await server.down();
    const { code, stderr } = await exportLines(server.port, 'unused:');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^hitl audit export: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+.*set REDIS_URL\n$/);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(condition()).toBe(true);
}
