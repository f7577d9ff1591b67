/** `hitl audit export` and `hitl report` through runCli, against the real Redis under a test prefix. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisAuditStore } from '../../src/audit/redis-store.js';
import type { AuditEntry } from '../../src/audit/types.js';
import { runCli } from '../../src/cli/commands.js';
import { testRedis } from '../helpers/redis.js';

const store = testRedis('cli');
const NOW = Date.parse('2026-11-24T12:00:00Z');
const entries: AuditEntry[] = [
  { at: NOW - 3_600_000, installationId: 1, repo: 'acme/widgets', pr: 2, actor: 'hitl', action: 'checkpoint_opened', checkpoint: 'peer_review', workflow: 'peer' },
  { at: NOW - 1_800_000, installationId: 1, repo: 'acme/widgets', pr: 2, actor: 'carol', action: 'approved', checkpoint: 'peer_review', workflow: 'peer' },
  { at: NOW - 600_000, installationId: 1, repo: 'acme/other', pr: 5, actor: 'olive', action: 'bypassed', checkpoint: 'peer_review', reason: 'prod down', details: { kind: 'emergency' } },
];
const saved = { url: process.env.REDIS_URL, prefix: process.env.HITL_REDIS_PREFIX };

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), cwd: process.cwd(), now: () => NOW });
  return { code, out, err };
}

beforeAll(async () => {
  const audit = new RedisAuditStore({ redis: store.redis, prefix: store.prefix });
  for (const entry of entries) await audit.record(entry);
  process.env.HITL_REDIS_PREFIX = store.prefix;
});
afterAll(async () => {
  process.env.REDIS_URL = saved.url;
  if (saved.url === undefined) delete process.env.REDIS_URL;
  process.env.HITL_REDIS_PREFIX = saved.prefix;
  if (saved.prefix === undefined) delete process.env.HITL_REDIS_PREFIX;
  await store.close();
});

describe('hitl CLI on the audit log in Redis', () => {
  it('audit export writes every entry of a repository as one JSON line each, oldest first', async () => {
    const { code, out } = await cli(['audit', 'export', '--repo', 'acme/widgets']);
    expect(code).toBe(0);
    expect(out.map((line) => { const { id: _id, ...entry } = JSON.parse(line) as AuditEntry; return entry; })).toEqual(entries.slice(0, 2));
  });

  it('report prints the success metrics of the log as JSON', async () => {
    const { code, out } = await cli(['report', '--since', '7d', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n')) as { bypassUsage: unknown; approvalTime: { standard: unknown } };
    // One emergency bypass among two decisions (the approval and the bypass); one approval after 30 minutes.
    expect(report.bypassUsage).toEqual({ status: 'missed', value: 0.5, numerator: 1, denominator: 2, target: 0.05 });
    expect(report.approvalTime.standard).toMatchObject({ p50Ms: 1_800_000, samples: 1 });
  });

  it('says in one line that Redis is unreachable and exits 1', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    const report = await cli(['report']);
    const exported = await cli(['audit', 'export']);
    process.env.REDIS_URL = saved.url ?? 'redis://127.0.0.1:6379';
    expect(report).toEqual({ code: 1, out: [], err: ['hitl report: cannot reach Redis at redis://127.0.0.1:1: start redis-server or set REDIS_URL'] });
    expect(exported.code).toBe(1);
    expect(exported.err).toEqual([expect.stringMatching(/^hitl audit export: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/)]);
  });
});
