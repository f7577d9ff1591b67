import { describe, expect, it } from '@jest/globals';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import type { Actor, EvidenceEvent, Plan, PrFacts } from '../../src/policy/types.js';
import { actor, configOf, file, prFacts, T0 } from '../helpers/facts.js';

const HOUR = 3_600_000;

const BUILT_IN = configOf();
const plan = (overrides: Partial<PrFacts> = {}, config = BUILT_IN): Plan => classify(prFacts(overrides), config);

const PEER = {};
const SECURITY = { files: [file('src/auth/session.ts')] };
const SECURITY_CRITERIA = '- [x] security_assessment\n- [x] vulnerability_analysis\n- [x] best_practices\n- [x] compliance_requirements\n';

const approved = (who: Actor, at = T0 + 1, commitSha = 'head1'): EvidenceEvent => ({ kind: 'review', actor: who, state: 'APPROVED', commitSha, at });
const bob = actor('bob', 'write');
const admin = actor('sam', 'admin');
const reader = actor('rita', 'read');

function statesOf(p: Plan, events: EvidenceEvent[], now = T0 + 10) {
  const evaluation = evaluate(p, { events }, now);
  return { verdict: evaluation.verdict.state, items: evaluation.items.map((i) => i.status.state), evaluation };
}

describe('who counts as an approver', () => {
  it('peer review: a collaborator with write access', () => {
    expect(statesOf(plan(PEER), [approved(bob)])).toMatchObject({ verdict: 'pass', items: ['approved'] });
  });

  it('never the author, even with admin rights', () => {
    expect(statesOf(plan(PEER), [approved(actor('Author', 'admin'))])).toMatchObject({ verdict: 'pending', items: ['pending'] });
  });

  it('never a bot', () => {
    expect(statesOf(plan(PEER), [approved(actor('renovate[bot]', 'admin'))]).verdict).toBe('pending');
  });

  it('not someone below the role\'s permission', () => {
    expect(statesOf(plan(PEER), [approved(reader)]).verdict).toBe('pending');
  });

  it('a checkpoint counts only its roles: a team, a user or a permission level', () => {
    const config = configOf('roles:\n  security_team: ["@acme/security", "carol", "permission:admin"]\n');
    const p = plan({ ...SECURITY, body: SECURITY_CRITERIA }, config);
    expect(statesOf(p, [approved(bob)]).verdict).toBe('pending');
    expect(statesOf(p, [approved(actor('dina', 'write', ['acme/security']))]).verdict).toBe('pass');
    expect(statesOf(p, [approved(actor('Carol', 'write'))]).verdict).toBe('pass');
    expect(statesOf(p, [approved(admin)]).verdict).toBe('pass');
  });

  it('not a role member named by login without write access (an outside user on a public repository), as GitHub requires', () => {
    const p = plan({ ...SECURITY, body: SECURITY_CRITERIA }, configOf('roles:\n  security_team: ["carol"]\n'));
    expect(statesOf(p, [approved(actor('carol', 'read'))]).verdict).toBe('pending');
    expect(statesOf(p, [approved(actor('carol', 'triage'))]).verdict).toBe('pending');
  });

  it('needs as many different people as the checkpoint asks for', () => {
    const config = configOf('checkpoints:\n  security_review:\n    approvals: 2\n');
    const p = plan({ ...SECURITY, body: SECURITY_CRITERIA }, config);
    const once = statesOf(p, [approved(admin), approved(admin, T0 + 2)]).evaluation.items[0]!.status;
    expect(once).toMatchObject({ state: 'pending', missingApprovals: 1 });
    expect(statesOf(p, [approved(admin), approved(actor('tom', 'admin'), T0 + 2)]).verdict).toBe('pass');
  });

  it('a command approval counts like a review, and only for the checkpoint it names', () => {
    const p = plan({ ...SECURITY, labels: ['performance'], body: SECURITY_CRITERIA });
    const lead = actor('lee', 'maintain');
    const command = (checkpoint?: string): EvidenceEvent => ({ kind: 'approve', actor: lead, checkpoint, commitSha: 'head1', at: T0 + 1 });
    // performance_impact has criteria too; none ticked, so approvals alone leave it pending.
    const targeted = statesOf(p, [command('Security_Review')]).evaluation.items;
    expect(targeted.map((i) => [i.item.name, i.status.state, i.status.state === 'pending' ? i.status.approvals.length : -1])).toEqual([
      ['security_review', 'pending', 0],
      ['performance_impact', 'pending', 0],
    ]);
    const general = statesOf(p, [command()]).evaluation.items;
    expect(general.map((i) => (i.status.state === 'pending' ? i.status.approvals.map((a) => a.via) : []))).toEqual([[], ['command']]);
  });
});

describe('approvals that stop counting', () => {
  it('expert checkpoints drop approvals given before a new push', () => {
    const p = plan({ ...SECURITY, body: SECURITY_CRITERIA, headSha: 'head2' });
    expect(statesOf(p, [approved(admin, T0 + 1, 'head1')]).verdict).toBe('pending');
    expect(statesOf(p, [approved(admin, T0 + 1, 'head1'), approved(admin, T0 + 2, 'head2')]).verdict).toBe('pass');
  });

  it('peer review keeps them (dismiss_stale_approvals is off by default)', () => {
    expect(statesOf(plan({ headSha: 'head2' }), [approved(bob, T0 + 1, 'head1')]).verdict).toBe('pass');
  });

  it('dismiss_stale_approvals: true on peer review drops them', () => {
    const config = configOf('approval_workflows:\n  peer_review:\n    dismiss_stale_approvals: true\n');
    expect(statesOf(plan({ headSha: 'head2' }, config), [approved(bob, T0 + 1, 'head1')]).verdict).toBe('pending');
  });

  it('a later CHANGES_REQUESTED or DISMISSED review withdraws that person\'s approval', () => {
    for (const state of ['CHANGES_REQUESTED', 'DISMISSED'] as const) {
      const events: EvidenceEvent[] = [approved(bob), { kind: 'review', actor: bob, state, commitSha: 'head1', at: T0 + 2 }];
      expect(statesOf(plan(PEER), events).verdict).toBe('pending');
    }
  });

  it('evidence is read in time order, not arrival order', () => {
    const events: EvidenceEvent[] = [approved(bob, T0 + 5), { kind: 'review', actor: bob, state: 'CHANGES_REQUESTED', commitSha: 'head1', at: T0 + 2 }];
    expect(statesOf(plan(PEER), events).verdict).toBe('pass');
  });
});

describe('rejection and holds', () => {
  const reject = (who: Actor, at = T0 + 3, checkpoint?: string): EvidenceEvent => ({ kind: 'reject', actor: who, checkpoint, reason: 'leaks the session token', at });

  it('/reject by an approver fails the gate with who and why', () => {
    const result = statesOf(plan(PEER), [approved(bob), reject(actor('eve', 'write'))]);
    expect(result).toMatchObject({ verdict: 'fail', items: ['rejected'] });
    expect(result.evaluation.verdict.summary).toBe('peer_review rejected by @eve: leaks the session token');
  });

  it('/reject by someone who may not approve is ignored', () => {
    expect(statesOf(plan(PEER), [reject(reader)]).verdict).toBe('pending');
  });

  it('the same person approving after rejecting lifts the rejection', () => {
    expect(statesOf(plan(PEER), [reject(bob, T0 + 1), approved(bob, T0 + 2)]).verdict).toBe('pass');
  });

  it('a hold keeps an approved gate pending until /unhold', () => {
    const hold: EvidenceEvent = { kind: 'hold', actor: bob, at: T0 + 2 };
    const held = statesOf(plan(PEER), [approved(actor('dan', 'write')), hold]);
    expect(held.verdict).toBe('pending');
    expect(held.evaluation.verdict.summary).toBe('on hold by @bob (/unhold to release)');
    expect(statesOf(plan(PEER), [approved(actor('dan', 'write')), hold, { kind: 'unhold', actor: bob, at: T0 + 3 }]).verdict).toBe('pass');
  });

  it('a hold from someone without write access or an approver role is ignored', () => {
    expect(statesOf(plan(PEER), [approved(bob), { kind: 'hold', actor: reader, at: T0 + 2 }]).verdict).toBe('pass');
  });
});

describe('emergency bypass', () => {
  const onCall = actor('oncall-olga', 'maintain');
  const bypass = (who: Actor, justification = 'prod is down, INC-4312', source: 'command' | 'label' = 'command', at = T0 + 1): EvidenceEvent =>
    ({ kind: 'bypass', actor: who, justification, source, at });

  it('an allowed role with a justification bypasses every checkpoint that allows it', () => {
    const result = statesOf(plan({ ...SECURITY, labels: ['rollback'] }), [bypass(onCall)]);
    expect(result).toMatchObject({ verdict: 'pass', items: ['bypassed', 'bypassed'] });
    expect(result.evaluation.workflow).toBe('emergency');
    expect(result.evaluation.bypass).toEqual({ kind: 'emergency', by: 'oncall-olga', justification: 'prod is down, INC-4312', at: T0 + 1 });
    expect(result.evaluation.verdict.summary).toBe('all checkpoints bypassed');
  });

  it('is refused without a real justification, from a bot, or from someone outside the allowed roles', () => {
    expect(statesOf(plan(SECURITY), [bypass(onCall, 'urgent')]).items).toEqual(['pending']);
    expect(statesOf(plan(SECURITY), [bypass(actor('deploy[bot]', 'admin'))]).items).toEqual(['pending']);
    expect(statesOf(plan(SECURITY), [bypass(reader)]).items).toEqual(['pending']);
  });

  it('built in, the on-call and lead roles need maintain: a writer cannot bypass', () => {
    expect(statesOf(plan(SECURITY), [bypass(actor('wendy', 'write'))]).items).toEqual(['pending']);
  });

  it('never by the author, even an admin, unless bypass.emergency.allow_author is true', () => {
    const author = actor('Author', 'admin');
    expect(statesOf(plan(SECURITY), [bypass(author)]).items).toEqual(['pending']);
    const allowing = configOf('bypass:\n  emergency: { allow_author: true }\n');
    expect(statesOf(plan(SECURITY, allowing), [bypass(author)]).items).toEqual(['bypassed']);
  });

  it('a checkpoint that does not allow emergency bypass stays pending', () => {
    const config = configOf('checkpoints:\n  security_review:\n    allow_bypass: [maintenance_window]\n');
    expect(statesOf(plan(SECURITY, config), [bypass(onCall)]).items).toEqual(['pending']);
  });

  it('a label-sourced bypass lasts only while the label is on', () => {
    const labelled = plan({ ...SECURITY, labels: ['emergency'] });
    expect(statesOf(labelled, [bypass(onCall, undefined, 'label')]).verdict).toBe('pass');
    const unlabelled = plan(SECURITY);
    expect(statesOf(unlabelled, [bypass(onCall, undefined, 'label')]).verdict).toBe('pending');
  });

  it('/unbypass ends it', () => {
    expect(statesOf(plan(SECURITY), [bypass(onCall), { kind: 'unbypass', actor: onCall, at: T0 + 2 }]).verdict).toBe('pending');
  });

  it('the emergency label alone, without an authorised bypass, bypasses nothing', () => {
    const result = statesOf(plan({ ...SECURITY, labels: ['emergency'] }), []);
    expect(result.verdict).toBe('pending');
    expect(result.evaluation.workflow).toBe('expert');
  });
});

describe('criteria ticked in the description', () => {
  const approvedBySecurity = [approved(admin)];

  it('a checkpoint with unticked criteria is not approved, whoever approves', () => {
    const status = statesOf(plan(SECURITY), approvedBySecurity).evaluation.items[0]!.status;
    expect(status).toMatchObject({ state: 'pending', missingApprovals: 0 });
    if (status.state === 'pending') expect(status.criteria.every((c) => !c.ticked)).toBe(true);
  });

  it('accepts the config name or the same words in prose, case-insensitive', () => {
    const body = '## Checklist\n- [x] Security assessment\n* [X] vulnerability_analysis: ran the scanner\n- [x] **Best practices**\n+ [x] COMPLIANCE REQUIREMENTS';
    expect(statesOf(plan({ ...SECURITY, body }), approvedBySecurity).verdict).toBe('pass');
  });

  it('ignores unticked boxes, boxes in fenced code and boxes in HTML comments', () => {
    const body = [
      '- [x] security_assessment', '- [x] vulnerability_analysis', '- [ ] best_practices',
      '```', '- [x] best_practices', '```',
      '<!--', '- [x] compliance_requirements', '-->',
    ].join('\n');
    const status = statesOf(plan({ ...SECURITY, body }), approvedBySecurity).evaluation.items[0]!.status;
    expect(status.state === 'pending' && status.criteria.filter((c) => c.ticked).map((c) => c.name)).toEqual(['security_assessment', 'vulnerability_analysis']);
  });
});

describe('maintenance windows and test branches', () => {
  const windowConfig = configOf([
    'bypass:',
    '  maintenance_windows:',
    '    - { name: saturday-maintenance, cron: "0 2 * * 6", duration: 4_hours, timezone: Europe/Berlin, auto_approve: [peer_review], approver: technical_lead }',
    '    - { name: freeze-fix, start: "2026-12-24T08:00:00Z", end: "2026-12-24T10:00:00Z", auto_approve: [security_review] }',
  ].join('\n'));
  // Saturday 2026-11-28 02:00 in Berlin is 01:00 UTC.
  const saturday = Date.parse('2026-11-28T01:00:00Z');

  it('auto-approves the workflows it names while open, in its own name', () => {
    const status = evaluate(plan(PEER, windowConfig), { events: [] }, saturday + HOUR).items[0]!.status;
    expect(status).toEqual({ state: 'bypassed', bypass: { kind: 'maintenance_window', window: 'saturday-maintenance', approver: 'technical_lead' } });
  });

  it('does nothing before it opens or after it closes', () => {
    expect(evaluate(plan(PEER, windowConfig), { events: [] }, saturday - 1).verdict.state).toBe('pending');
    expect(evaluate(plan(PEER, windowConfig), { events: [] }, saturday + 4 * HOUR).verdict.state).toBe('pending');
  });

  it('a fixed window approves what it names, and only that', () => {
    const inside = Date.parse('2026-12-24T09:00:00Z');
    expect(evaluate(plan(SECURITY, windowConfig), { events: [] }, inside).items[0]!.status.state).toBe('bypassed');
    expect(evaluate(plan(SECURITY, windowConfig), { events: [] }, Date.parse('2026-12-24T10:00:00Z')).items[0]!.status.state).toBe('pending');
    expect(evaluate(plan(PEER, windowConfig), { events: [] }, inside).items[0]!.status.state).toBe('pending');
  });

  it('a rejection is not overridden by a window', () => {
    const events: EvidenceEvent[] = [{ kind: 'reject', actor: bob, reason: 'not during the window', at: saturday }];
    expect(evaluate(plan(PEER, windowConfig), { events }, saturday + HOUR).verdict.state).toBe('fail');
  });

  it('a pull request into a test branch passes, except checkpoints that allow only emergency bypass', () => {
    const config = configOf('bypass:\n  test_environments: { branches: ["staging"] }\n');
    const result = statesOf(plan({ baseRef: 'staging', labels: ['rollback', 'security'] }, config), []);
    expect(result.evaluation.items.map((i) => [i.item.name, i.status.state])).toEqual([
      ['security_review', 'bypassed'],
      ['rollback_decision', 'pending'],
    ]);
  });
});

describe('required: false and the SLA', () => {
  it('a checkpoint that is not required never blocks', () => {
    const config = configOf('checkpoints:\n  performance_impact:\n    required: false\n');
    const result = statesOf(plan({ labels: ['performance'] }, config), [approved(actor('sr', 'maintain'))]);
    expect(result).toMatchObject({ verdict: 'pass', items: ['not-required', 'approved'] });
  });

  it('a pending item has its deadline from the start of the gate and is breached after it', () => {
    const p = plan(PEER);
    const before = evaluate(p, { events: [] }, T0 + 24 * HOUR).items[0]!.status;
    expect(before).toMatchObject({ state: 'pending', deadline: T0 + 24 * HOUR, breached: false });
    const after = evaluate(p, { events: [] }, T0 + 24 * HOUR + 1).items[0]!.status;
    expect(after).toMatchObject({ state: 'pending', breached: true });
  });

  it('an automatic pull request passes with nothing to approve', () => {
    expect(evaluate(plan({ files: [file('README.md')] }), { events: [] }, T0).verdict).toEqual({ state: 'pass', summary: 'no human checkpoint needed' });
  });

  it('the pending verdict names what it waits for', () => {
    expect(evaluate(plan({ ...SECURITY, labels: ['performance'] }), { events: [] }, T0).verdict.summary).toBe('waiting for security_review, performance_impact');
  });
});
