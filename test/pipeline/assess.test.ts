/**
 * The pipeline's gather and decide steps on a plain in-memory PullContext: what an evaluation
 * reads for each kind of event, and what it decides, without GitHub or Redis.
 */
import { describe, expect, it } from '@jest/globals';
import { assess } from '../../src/pipeline/pipeline.js';
import type { PrState } from '../../src/policy/decide.js';
import { actor, file } from '../helpers/facts.js';
import { FakePullContext, pullData } from '../helpers/pull-context.js';
import { AUTHOR } from '../helpers/webhooks.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
const CONFIG = 'roles:\n  reviewers: ["carol", "dave"]\n  on_call_engineer: ["olive"]\napproval_workflows:\n  peer_review: { approver: reviewers }\nbypass:\n  emergency: { label: emergency, allowed: [on_call_engineer] }\n';
const SRC = [file('src/widgets.ts', 150)];
const NOTHING_RECORDED = { decisions: [], pushers: [] };
const carolApproves = { login: 'carol', isBot: false, state: 'APPROVED', commitSha: 'head1', at: NOW - 60_000 };

describe('gather: what one evaluation reads', () => {
  it('reads config and files of a PR just opened from its payload, and neither reviews nor comments', async () => {
    const ctx = new FakePullContext({ pull: pullData({ additions: 150 }), config: CONFIG, files: SRC });
    const outcome = await assess(ctx, { pull: ctx.facts.pull, newHead: true, opened: true }, undefined, false, NOW, NOTHING_RECORDED);
    expect(ctx.reads).toEqual(['config@main', 'files']);
    expect(outcome).toMatchObject({ kind: 'evaluated', label: 'hitl:peer-review', reviewers: { users: ['carol', 'dave'], teams: [] } });
  });

  it('reads the proposed file at the head and the stored facts only for a PR that changes .hitl.yml; unknown facts leave its verdict alone', async () => {
    const files = [...SRC, file('.hitl.yml', 2)];
    const builtInProposed = await assess(new FakePullContext({ pull: pullData({ additions: 152 }), config: CONFIG, files }), { pull: pullData({ additions: 152 }), opened: true }, undefined, false, NOW, NOTHING_RECORDED);
    const ctx = new FakePullContext({ pull: pullData({ additions: 152 }), config: CONFIG, files, proposedConfig: 'classification:\n  peer_review_max_lines: 100\n' });
    const outcome = await assess(ctx, { pull: ctx.facts.pull, opened: true }, undefined, false, NOW, NOTHING_RECORDED);
    expect(ctx.reads).toEqual(['config@main', 'files', 'proposedConfig@head1', 'openPulls']);
    expect(outcome).toMatchObject({ kind: 'evaluated', policyDiff: { kind: 'unavailable' } });
    if (outcome.kind !== 'evaluated' || builtInProposed.kind !== 'evaluated') throw new Error('both are evaluated');
    expect([outcome.evaluation, outcome.label]).toEqual([builtInProposed.evaluation, builtInProposed.label]);
  });

  it('says that a change to the organisation’s defaults (its .github repository) is compared on that repository’s PRs only', async () => {
    const ctx = new FakePullContext({ pull: pullData(), files: [file('.hitl.yml', 2)], openPulls: [] });
    Object.assign(ctx, { address: { ...ctx.address, repo: '.github' } });
    const outcome = await assess(ctx, { pull: ctx.facts.pull, opened: true }, undefined, false, NOW, NOTHING_RECORDED);
    expect(outcome).toMatchObject({ kind: 'evaluated', policyDiff: { kind: 'compared', orgDefaults: true, compared: 0 } });
  });

  it('refetches a payload older than the last evaluation, and one that waited behind another event', async () => {
    const stale = pullData({ additions: 150 });
    const ctx = new FakePullContext({ pull: { ...stale, updatedAt: '2026-11-24T10:30:00Z' }, config: CONFIG, files: SRC });
    await assess(ctx, { pull: stale }, { updatedAt: '2026-11-24T10:30:00Z' }, false, NOW, NOTHING_RECORDED);
    expect(ctx.reads[0]).toBe('pull');
    const waited = new FakePullContext({ pull: stale, config: CONFIG, files: SRC });
    await assess(waited, { pull: stale }, undefined, true, NOW, NOTHING_RECORDED);
    expect(waited.reads[0]).toBe('pull');
  });

  it('looks each reviewer and commenter up once, and the commenter of this event not again', async () => {
    const ctx = new FakePullContext({
      pull: pullData({ additions: 150 }),
      config: CONFIG,
      files: SRC,
      reviews: [carolApproves],
      comments: [{ id: 1, login: 'carol', isBot: false, body: '/approve', createdAt: NOW - 30_000, edited: false }, { id: 2, login: 'ci[bot]', isBot: true, body: '/approve', createdAt: NOW, edited: false }],
      people: { carol: actor('carol', 'write') },
    });
    const outcome = await assess(ctx, { comment: { login: 'carol', body: '/hitl status' } }, undefined, false, NOW, NOTHING_RECORDED);
    // An approval by carol could count: who wrote the head's commits is read (once per head: cached).
    expect(ctx.reads).toEqual(['pull', 'config@main', 'files', 'reviews', 'comments', 'commitLogins', 'actor:carol']);
    expect(outcome).toMatchObject({ kind: 'evaluated', evaluation: { verdict: { state: 'pass' } } });
    expect(outcome.kind === 'evaluated' && outcome.commands.map((c) => c.judgement)).toEqual([{ text: '/hitl status', accepted: true, effect: 'status', items: [] }]);
  });

  it('reads the label events only while the emergency label asks for a bypass, and looks the labeler up', async () => {
    const labelled = new FakePullContext({
      pull: pullData({ additions: 150, labels: ['emergency'], body: 'Emergency: checkout is down for every EU customer' }),
      config: CONFIG,
      files: SRC,
      labelEvents: [{ event: 'labeled', actor: { login: 'olive' }, created_at: '2026-11-24T10:50:00Z', label: { name: 'emergency' } }],
      people: { olive: actor('olive', 'write') },
    });
    const outcome = await assess(labelled, { pull: labelled.facts.pull }, undefined, false, NOW, NOTHING_RECORDED);
    expect(labelled.reads).toEqual(['config@main', 'files', 'reviews', 'comments', 'labelEvents', 'actor:olive']);
    expect(outcome).toMatchObject({ kind: 'evaluated', label: 'hitl:emergency', evaluation: { bypass: { by: 'olive' } } });

    const plain = new FakePullContext({ pull: pullData({ additions: 150 }), config: CONFIG, files: SRC });
    await assess(plain, { pull: plain.facts.pull }, undefined, false, NOW, NOTHING_RECORDED);
    expect(plain.reads).not.toContain('labelEvents');
  });

  it('reads nothing past the pull request when it is closed, and stops every pending timer', async () => {
    const ctx = new FakePullContext({ pull: { ...pullData(), open: false } });
    const stored: PrState = { items: { peer_review: 'pending', security_review: 'approved' }, verdict: 'pending' };
    const outcome = await assess(ctx, {}, stored, false, NOW, NOTHING_RECORDED);
    expect(ctx.reads).toEqual(['pull']);
    expect(outcome).toMatchObject({ kind: 'closed', escalation: [{ kind: 'cancel', item: 'peer_review', reason: 'pull request closed' }], state: { verdict: 'pending', items: {} } });
  });
});

describe('decide: what one evaluation calls for', () => {
  it('asks nobody and starts no timer for a draft, and audits the checkpoint it opens once', async () => {
    const ctx = new FakePullContext({ pull: pullData({ additions: 150, draft: true }), config: CONFIG, files: SRC });
    const first = await assess(ctx, { pull: ctx.facts.pull, opened: true, newHead: true }, undefined, false, NOW, NOTHING_RECORDED);
    expect(first).toMatchObject({ kind: 'evaluated', reviewers: undefined, state: { wasDraft: true, verdict: 'pending', items: { peer_review: 'pending' } } });
    // Nothing stored yet: a timer may exist from before, so it is cancelled rather than started.
    expect(first.kind === 'evaluated' && first.escalation).toEqual([{ kind: 'cancel', item: 'peer_review', reason: 'peer_review is pending' }]);
    expect(first.kind === 'evaluated' && first.audit.map((a) => a.action)).toEqual(['checkpoint_opened', 'gate_evaluated']);
    const again = await assess(ctx, { pull: ctx.facts.pull }, first.state, false, NOW, NOTHING_RECORDED);
    expect(again.kind === 'evaluated' && again.audit).toEqual([]);
  });

  it('never asks the author to review, even when a role names them', async () => {
    const config = `roles:\n  reviewers: ["${AUTHOR.toLowerCase()}", "carol"]\napproval_workflows:\n  peer_review: { approver: reviewers }\n`;
    const ctx = new FakePullContext({ pull: pullData({ additions: 150 }), config, files: SRC });
    const outcome = await assess(ctx, { pull: ctx.facts.pull, opened: true }, undefined, false, NOW, NOTHING_RECORDED);
    // The decision names the role's members; the reviewer writer (src/github/reviewers.ts) skips the author.
    expect(outcome).toMatchObject({ kind: 'evaluated', reviewers: { users: [AUTHOR.toLowerCase(), 'carol'] } });
  });

  it('keeps the gate shut on an invalid base config and audits the error only when it appears', async () => {
    const ctx = new FakePullContext({ pull: pullData(), config: 'roles: [' });
    const first = await assess(ctx, { pull: ctx.facts.pull }, undefined, false, NOW, NOTHING_RECORDED);
    expect(first).toMatchObject({ kind: 'invalid-config', audit: [{ action: 'config_error' }], state: { verdict: 'invalid-config' } });
    const again = await assess(ctx, { pull: ctx.facts.pull }, first.state, false, NOW, NOTHING_RECORDED);
    expect(again).toMatchObject({ kind: 'invalid-config', audit: [] });
  });
});
