/**
 * A compliance violation goes straight to level 3 (the technical lead) through escalateTo, and
 * stays pending, with its reminders, until the violation is closed (an `/ack` by the lead).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import nock from 'nock';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { closeViolation, complianceGateAnswer, COMPLIANCE_ITEM, markViolationOpen } from '../../src/bypass/compliance.js';
import { OnceMarkers } from '../../src/bypass/once.js';
import type { EscalationEngine } from '../../src/escalation/engine.js';
import { dropPrefix, ensureInput, escalatedLevels, fakeGitHub, REDIS_URL, startEngine, testPrefix, waitFor, type GitHubCall } from '../escalation/harness.js';

const prefix = testPrefix();
const redis = new Redis(REDIS_URL);
const once = new OnceMarkers(redis, `${prefix}:`);
const audit = new MemoryAuditSink();
const target = { installationId: 42, owner: 'acme', repo: 'widgets', number: 9, item: COMPLIANCE_ITEM };
let engine: EscalationEngine;
let calls: GitHubCall[];

beforeAll(async () => {
  nock.disableNetConnect();
  calls = fakeGitHub();
  engine = await startEngine(prefix, { check: async (t) => (await complianceGateAnswer(once, t)) ?? { pending: false } }, audit);
});
afterAll(async () => {
  await engine.close();
  await dropPrefix(prefix);
  redis.disconnect();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('compliance escalation', () => {
  it('jumps to level 3 at once, mentions and assigns the lead, reminds while open, and stops once acknowledged', async () => {
    await markViolationOpen(once, target, { reason: '`hitl` concluded failure', roleMentions: { 3: ['@lead-lee'], 4: ['@boss'] } });
    // A ladder of 1 s per level: level 3 now, level 4 one second later.
    const item = await engine.escalateTo(ensureInput([1000, 1000, 1000, 1000], 60_000, target), 3, 'hitl', 'compliance violation');
    expect(item).toMatchObject({ item: COMPLIANCE_ITEM, number: 9 });
    // The level is recorded when it is claimed, before its GitHub actions run: wait for the actions.
    const level3 = () => calls.filter((c) => c.path === '/repos/acme/widgets/issues/9/assignees');
    await waitFor(() => level3().length > 0 && calls.some((c) => c.path === '/repos/acme/widgets/issues/9/comments'), 'level 3 actions');
    expect(escalatedLevels(audit)).toEqual([3]);
    expect(level3().map((c) => c.body)).toEqual([{ assignees: ['lead-lee'] }]);
    expect(calls.some((c) => c.path === '/repos/acme/widgets/issues/9/comments' && String(c.body?.body).includes('@lead-lee'))).toBe(true);

    // A second escalateTo (a redelivery) never goes down nor doubles.
    await engine.escalateTo(ensureInput([1000, 1000, 1000, 1000], 60_000, target), 3, 'hitl', 'again');
    await waitFor(() => escalatedLevels(audit).includes(4), 'level 4 while still open');
    expect(escalatedLevels(audit)).toEqual([3, 4]);

    expect(await closeViolation(once, target)).toEqual({ reason: '`hitl` concluded failure', roleMentions: { 3: ['@lead-lee'], 4: ['@boss'] } });
    expect(await complianceGateAnswer(once, target)).toEqual({ pending: false });
    await waitFor(() => audit.entries.some((e) => e.action === 'escalation_resolved'), 'the item resolved at its next step', 4_000);
    expect(await engine.listPending(42)).toEqual([]);
    expect(audit.entries.filter((e) => e.action === 'escalation_resolved')).toMatchObject([{ checkpoint: COMPLIANCE_ITEM, details: { level: 4 } }]);
  });

  it('is not asked about other items', async () => {
    expect(await complianceGateAnswer(once, { ...target, item: 'security_review' })).toBeUndefined();
  });
});
