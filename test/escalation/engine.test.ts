import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { Redis } from 'ioredis';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { QUEUE_NAME, type EscalationEngine } from '../../src/escalation/engine.js';
import { DEFAULT_LEVELS, itemId, stepJobId } from '../../src/escalation/ladder.js';
import {
  FakeGate,
  diagnostics,
  dropPrefix,
  REDIS_URL,
  ensureInput,
  escalatedLevels,
  fakeGitHub,
  sleep,
  startEngine,
  target,
  testPrefix,
  waitFor,
  type GitHubCall,
} from './harness.js';

const PR = '/repos/acme/widgets';
const writes = (calls: GitHubCall[]): string[] => calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`);
const comments = (calls: GitHubCall[]): string[] => calls.filter((c) => c.method === 'POST' && c.path === `${PR}/issues/7/comments`).map((c) => String(c.body?.body));

describe('escalation engine on a real Redis', () => {
  let prefix: string;
  let gate: FakeGate;
  let audit: MemoryAuditSink;
  const engines: EscalationEngine[] = [];
  let calls: GitHubCall[];

  beforeEach(() => {
    prefix = testPrefix();
    gate = new FakeGate();
    gate.set(target, diagnostics);
    audit = new MemoryAuditSink();
    nock.disableNetConnect();
    calls = fakeGitHub({ security: ['alice', 'bob', 'carol'], leads: ['lena'] });
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
    nock.cleanAll();
    nock.enableNetConnect();
    await dropPrefix(prefix);
  });

  const start = async (extra = {}): Promise<EscalationEngine> => {
    const engine = await startEngine(prefix, gate, audit, extra);
    engines.push(engine);
    return engine;
  };

  it('fires levels 1 to 4 in order with their GitHub actions, then edits one reminder comment', async () => {
    const engine = await start();
    await engine.ensure(ensureInput([250, 250, 250, 250], 100));
    await waitFor(() => calls.some((c) => c.method === 'PATCH' && c.path.startsWith(`${PR}/issues/comments/`)), 'the second reminder');

    expect(escalatedLevels(audit).slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(writes(calls).slice(0, 8)).toEqual([
      `POST ${PR}/pulls/7/requested_reviewers`,
      `POST ${PR}/issues/7/comments`,
      `POST ${PR}/issues/7/comments`,
      `POST ${PR}/issues/7/assignees`,
      `POST ${PR}/issues/7/labels`,
      `POST ${PR}/issues/7/comments`,
      `POST ${PR}/issues`,
      `POST ${PR}/issues/7/comments`,
    ]);
    // Later reminders edit that one comment instead of adding more.
    const edits = writes(calls).slice(8);
    expect(edits.length).toBeGreaterThan(0);
    expect(new Set(edits).size).toBe(1);
    expect(edits[0]).toMatch(/^PATCH \/repos\/acme\/widgets\/issues\/comments\/\d+$/);
    // Level 1: the pending user and team again, plus the least recently asked other team member.
    expect(calls.find((c) => c.path.endsWith('/requested_reviewers'))?.body).toEqual({ reviewers: ['alice', 'bob'], team_reviewers: ['security'] });
    const [level2, level3, level4] = comments(calls);
    expect(level2).toContain('level 2');
    expect(level2).toContain('@dana @alice @acme/security');
    expect(level2).toContain('criterion `threat_model` not ticked');
    expect(level2).toContain('`/approve security_review`');
    expect(level3).toContain('@acme/leads');
    expect(calls.find((c) => c.path.endsWith('/assignees'))?.body).toEqual({ assignees: ['lena'] });
    expect(calls.find((c) => c.path.endsWith('/labels'))?.body).toEqual({ labels: ['hitl:escalated'] });
    expect(level4).toContain('@acme/eng-managers');
    expect(calls.find((c) => c.method === 'POST' && c.path === `${PR}/issues`)?.body).toMatchObject({
      title: 'HITL escalation: acme/widgets#7 security_review',
      labels: ['hitl:escalated'],
    });
    const [pending] = await engine.listPending(42);
    expect(pending).toMatchObject({ item: 'security_review', number: 7 });
    expect(pending!.level).toBeGreaterThanOrEqual(6);
  });

  it('stops every later level when the item is approved and cancelled', async () => {
    const engine = await start();
    await engine.ensure(ensureInput([300, 300, 300, 300], 50));
    await waitFor(() => calls.some((c) => c.path.endsWith('/requested_reviewers')), 'level 1');
    gate.resolve(target);
    await engine.cancel(target, 'approved');
    const afterCancel = calls.length;
    await sleep(900);

    expect(calls.length).toBe(afterCancel);
    expect(escalatedLevels(audit)).toEqual([1]);
    expect(audit.entries.find((e) => e.action === 'escalation_resolved')).toMatchObject({ reason: 'approved', details: { level: 1 } });
    expect(await engine.jobs.getDelayedCount()).toBe(0);
    expect(await engine.listPending()).toEqual([]);
  });

  it('never acts on a timer whose item the gate reports resolved, even without a cancel', async () => {
    const engine = await start();
    await engine.ensure(ensureInput([300, 300, 300, 300], 100));
    gate.resolve(target);
    await waitFor(() => gate.checks > 0, 'the timer');
    await sleep(200);

    expect(calls).toEqual([]);
    expect(escalatedLevels(audit)).toEqual([]);
    expect(await engine.listPending()).toEqual([]);
  });

  it('keeps one timer when two app processes ensure the same item twice', async () => {
    const [first, second] = await Promise.all([start(), start()]);
    const input = ensureInput([5_000, 5_000, 5_000, 5_000], 300);
    await Promise.all([first.ensure(input), second.ensure(input), first.ensure({ ...input, since: input.since + 1 })]);

    // The level-1 timer only: the SLA timer is armed once the deadline falls before the next step.
    expect(await first.jobs.getDelayedCount()).toBe(1);
    await waitFor(() => escalatedLevels(audit).length === 1, 'level 1');
    await sleep(300);
    expect(calls.filter((c) => c.path.endsWith('/requested_reviewers'))).toHaveLength(1);
    expect(escalatedLevels(audit)).toEqual([1]);
  });

  it('delays the next level by one interval after /ack and says who acknowledged until when', async () => {
    const engine = await start();
    await engine.ensure(ensureInput([800, 800, 800, 800], 50));
    await waitFor(() => escalatedLevels(audit).length === 1, 'level 1');
    const levelOneAt = audit.entries.find((e) => e.action === 'escalated')!.at;
    await sleep(400);
    const before = Date.now();
    const acked = await engine.acknowledge(target, 'alice');
    const after = Date.now();

    expect(acked).toMatchObject({ acknowledgedBy: 'alice', level: 1 });
    expect(acked!.acknowledgedUntil).toBeGreaterThanOrEqual(before + 800);
    expect(acked!.acknowledgedUntil).toBeLessThanOrEqual(after + 800);
    expect(acked!.nextAt).toBe(acked!.acknowledgedUntil);
    expect(audit.entries.find((e) => e.action === 'acknowledged')).toMatchObject({ actor: 'alice', details: { level: 1, until: acked!.acknowledgedUntil } });
    await sleep(levelOneAt + 900 - Date.now()); // past the level-2 time had nobody acknowledged
    expect(escalatedLevels(audit)).toEqual([1]);
    await waitFor(() => escalatedLevels(audit).length === 2, 'level 2 after the acknowledgement');
    const levelTwoAt = audit.entries.filter((e) => e.action === 'escalated')[1]!.at;
    expect(levelTwoAt).toBeGreaterThanOrEqual(acked!.acknowledgedUntil!);
    expect((await engine.listPending())[0]?.acknowledgedBy).toBeUndefined();
  });

  it('fires each level exactly once when the worker is closed and reopened mid-way', async () => {
    const first = await start();
    await first.ensure(ensureInput([400, 400, 400, 400], 50));
    await waitFor(() => escalatedLevels(audit).length === 2, 'level 2');
    await first.close();
    engines.splice(engines.indexOf(first), 1);
    await sleep(600); // level 3 falls due while no worker runs
    await start();
    await waitFor(() => escalatedLevels(audit).length >= 5, 'the first reminder');

    expect(escalatedLevels(audit).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(calls.filter((c) => c.path.endsWith('/requested_reviewers'))).toHaveLength(1);
    const levelComments = comments(calls).map((body) => /level (\d)/.exec(body)?.[1] ?? 'reminder');
    expect(levelComments).toEqual(['2', '3', '4', 'reminder']);
  });

  it('jumps to the next level at once on /escalate, recording who asked and why', async () => {
    const engine = await start();
    await engine.ensure(ensureInput([3_600_000, 3_600_000, 3_600_000, 3_600_000], 3_600_000));
    const jumped = await engine.escalateNow(target, 'dana', 'release tomorrow');
    expect(jumped).toMatchObject({ level: 0 });
    await waitFor(() => escalatedLevels(audit).length === 1, 'level 1');
    await engine.escalateNow(target, 'dana', 'still stuck');
    await waitFor(() => escalatedLevels(audit).length === 2, 'level 2');

    expect(audit.entries.filter((e) => e.action === 'escalated').map((e) => [e.actor, e.reason, e.details?.level])).toEqual([
      ['dana', 'release tomorrow', 1],
      ['dana', 'still stuck', 2],
    ]);
    expect(writes(calls)).toEqual([`POST ${PR}/pulls/7/requested_reviewers`, `POST ${PR}/issues/7/comments`]);
    expect(await engine.escalateNow({ ...target, item: 'unknown' }, 'dana', 'x')).toBeUndefined();
  });

  it('records an SLA breach and jumps to the top level', async () => {
    const engine = await start();
    const now = Date.now();
    await engine.ensure(ensureInput([3_600_000, 3_600_000, 3_600_000, 3_600_000], 50, { deadline: now + 500 }));
    await waitFor(() => escalatedLevels(audit).length === 2, 'the top level');

    expect(escalatedLevels(audit)).toEqual([1, 4]);
    expect(audit.entries.filter((e) => e.action === 'sla_breached')).toHaveLength(1);
    expect(audit.entries.find((e) => e.action === 'escalated' && e.details?.level === 4)?.reason).toBe('SLA breached');
    expect((await engine.listPending())[0]).toMatchObject({ level: 4, slaBreached: true });
  });

  it('retries a timer whose gate check threw, with backoff, and escalates once it answers', async () => {
    const engine = await start();
    let failures = 2;
    const check = gate.check.bind(gate);
    gate.check = async (t) => {
      if (failures-- > 0) throw new Error('GitHub unreachable');
      return check(t);
    };
    await engine.ensure(ensureInput([5_000, 5_000, 5_000, 5_000], 50));
    await waitFor(() => calls.some((c) => c.path.endsWith('/requested_reviewers')), 'level 1 after two failed attempts');

    expect(failures).toBe(-1);
    expect(escalatedLevels(audit)).toEqual([1]);
    expect(calls.filter((c) => c.path.endsWith('/requested_reviewers'))).toHaveLength(1);
    expect(await engine.jobs.getDelayedCount()).toBe(1); // level 2 only: the retries are gone
  });

  it('keeps a pending item in about 1 KiB: its state and its one job hash stay in Redis’s compact encoding', async () => {
    const engine = await start({ worker: false });
    const input = { ...ensureInput([], 3_600_000), levels: DEFAULT_LEVELS };
    await engine.ensure({ ...input, deadline: input.escalateAt });
    const id = itemId(input);
    const redis = new Redis(REDIS_URL);
    try {
      const encoding = (key: string) => redis.call('OBJECT', 'ENCODING', key);
      expect(await encoding(`${prefix}:${QUEUE_NAME}-state:item:${id}`)).toBe('listpack');
      expect(await encoding(`${prefix}:${QUEUE_NAME}:${stepJobId(id, 1, 0)}`)).toBe('listpack');
      expect(await engine.jobs.getDelayedCount()).toBe(1);
      expect((await engine.listPending())[0]).toMatchObject({ level: 0, nextAt: input.escalateAt, slaBreached: false });
    } finally {
      await redis.quit();
    }
  });
});
