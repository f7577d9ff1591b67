/**
 * Shared parts of the escalation tests: a real Redis under a private prefix, an in-memory gate
 * (our own interface), GitHub faked with nock at the HTTP level recording each request, and a
 * poller for "eventually" on real timers.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { EscalationEngine, type EscalationEngineOptions } from '../../src/escalation/engine.js';
import { itemKey } from '../../src/escalation/ladder.js';
import { deleteKeysUnder } from '../../src/escalation/store.js';
import type { Diagnostics, EnsureInput, EscalationTarget, GateAnswer, GatePort } from '../../src/escalation/types.js';
import { testOctokit } from '../helpers/github.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(): string {
  return `hitl-test:escalation:${randomBytes(6).toString('hex')}`;
}

/** Deletes this test's keys only; the Redis server is shared. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await deleteKeysUnder(redis, prefix);
  await redis.quit();
}

export class FakeGate implements GatePort {
  private readonly pending = new Map<string, Diagnostics>();
  checks = 0;
  set(target: EscalationTarget, diagnostics: Diagnostics): void {
    this.pending.set(itemKey(target), diagnostics);
  }
  resolve(target: EscalationTarget): void {
    this.pending.delete(itemKey(target));
  }
  async check(target: EscalationTarget): Promise<GateAnswer> {
    this.checks++;
    const diagnostics = this.pending.get(itemKey(target));
    return diagnostics ? { pending: true, diagnostics } : { pending: false };
  }
}

export interface GitHubCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  at: number;
}

/** Answers every GitHub request the way the REST API does for these routes and records it. */
export function fakeGitHub(teams: Record<string, string[]> = {}): GitHubCall[] {
  const calls: GitHubCall[] = [];
  let nextId = 1000;
  const scope = nock('https://api.github.com').persist();
  for (const method of ['GET', 'POST', 'PATCH'] as const) {
    scope.intercept(/.*/, method).reply(function (uri, body) {
      const path = uri.split('?')[0]!;
      calls.push({ method, path, body: typeof body === 'string' && body ? JSON.parse(body) : (body as Record<string, unknown>) || undefined, at: Date.now() });
      const team = /^\/orgs\/[^/]+\/teams\/([^/]+)\/members$/.exec(path);
      if (team) return [200, (teams[team[1]!] ?? []).map((login) => ({ login }))];
      if (method === 'POST' && /\/issues$/.test(path)) return [201, { number: ++nextId }];
      if (method === 'POST' && /\/comments$/.test(path)) return [201, { id: ++nextId }];
      if (path.endsWith('/rerun-failed-jobs')) return [201, {}];
      return [method === 'POST' ? 201 : 200, {}];
    });
  }
  return calls;
}

export const octokitFor = async () => testOctokit();

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An engine without a worker (timers are kept, none fires here until work() is called). */
export function startProducer(prefix: string, audit: MemoryAuditSink, extra: Partial<EscalationEngineOptions> = {}): Promise<EscalationEngine> {
  return EscalationEngine.start({ redisUrl: REDIS_URL, prefix, audit, octokitFor, retryDelayMs: 100, ...extra });
}

export async function startEngine(prefix: string, gate: GatePort, audit: MemoryAuditSink, extra: Partial<EscalationEngineOptions> = {}): Promise<EscalationEngine> {
  const engine = await startProducer(prefix, audit, extra);
  await engine.work(gate);
  return engine;
}

export const target: EscalationTarget = { installationId: 42, owner: 'acme', repo: 'widgets', number: 7, item: 'security_review' };

export const diagnostics: Diagnostics = {
  author: 'dana',
  pendingApprovers: ['alice', '@acme/security'],
  roleMentions: { 3: ['@acme/leads'], 4: ['@acme/eng-managers'] },
  missing: ['1 more approval from security_team', 'criterion `threat_model` not ticked'],
  commands: ['/approve security_review'],
  headSha: 'abc1234def',
};

/** A ladder of `stepMs` per level starting `startInMs` from now. */
export function ensureInput(stepMs: number[], startInMs: number, overrides: Partial<EnsureInput> = {}): EnsureInput {
  const now = Date.now();
  return {
    ...target,
    since: now,
    escalateAt: now + startInMs,
    deadline: now + 3_600_000,
    levels: stepMs.map((timeoutMs, i) => ({ level: i + 1, timeoutMs })),
    notify: { channels: [], fromLevel: 3 },
    ...overrides,
  };
}

export const escalatedLevels = (audit: MemoryAuditSink): number[] =>
  audit.entries.filter((e) => e.action === 'escalated').map((e) => Number(e.details?.level));
