/**
 * evaluate(plan, evidence, now): each gate item's status and the overall verdict, from reviews,
 * commands, holds, bypasses, maintenance windows and ticked criteria. Pure: the clock is an
 * argument and nothing is looked up.
 */
import { mayApprove, mayBypass, mayHold, mayLift } from './authorize.js';
import { isTicked } from './criteria.js';
import type {
  ApprovalRecord,
  BypassRecord,
  Evaluation,
  Evidence,
  EvidenceEvent,
  GateItem,
  Hold,
  ItemEvaluation,
  ItemStatus,
  Plan,
  Verdict,
} from './types.js';
import { openWindows } from './windows.js';

type Decision = { kind: 'approve'; record: ApprovalRecord } | { kind: 'reject'; by: string; reason: string; at: number };

const byTime = (events: readonly EvidenceEvent[]) =>
  events.map((event, index) => ({ event, index })).sort((a, b) => a.event.at - b.event.at || a.index - b.index).map((e) => e.event);

/** The most recent hold still standing: each maker's hold lasts until mayLift says an /unhold lifts it. */
function currentHold(plan: Plan, events: readonly EvidenceEvent[]): Hold | undefined {
  const holds = new Map<string, Hold>();
  for (const e of events) {
    if (e.kind === 'hold' && mayHold(e.actor).ok) holds.set(e.actor.login.toLowerCase(), { by: e.actor.login, at: e.at });
    if (e.kind !== 'unhold' || !mayHold(e.actor).ok) continue;
    for (const [maker, hold] of holds) if (mayLift(e.actor, hold.by, plan.items, plan.pr.author)) holds.delete(maker);
  }
  return [...holds.values()].sort((a, b) => b.at - a.at)[0];
}

function currentBypass(plan: Plan, events: readonly EvidenceEvent[]): Extract<BypassRecord, { kind: 'emergency' }> | undefined {
  let bypass: Extract<BypassRecord, { kind: 'emergency' }> | undefined;
  for (const e of events) {
    // Lifting a bypass needs the same standing as a hold: a drive-by user cannot reopen an incident's gate.
    if (e.kind === 'unbypass' && mayHold(e.actor).ok) bypass = undefined;
    // A label-based bypass lasts only while the label is on the pull request.
    if (e.kind === 'bypass' && mayBypass(e.actor, plan, e.justification).ok && (e.source === 'command' || plan.emergencyRequested)) {
      bypass = { kind: 'emergency', by: e.actor.login, justification: e.justification.trim(), at: e.at };
    }
  }
  return bypass;
}

function decisionsFor(item: GateItem, plan: Plan, events: readonly EvidenceEvent[]): Map<string, Decision> {
  const latest = new Map<string, Decision>();
  const targets = (checkpoint: string | undefined) => checkpoint === undefined || checkpoint.toLowerCase() === item.name.toLowerCase();
  for (const e of events) {
    if (e.kind !== 'review' && e.kind !== 'approve' && e.kind !== 'reject') continue;
    if (e.kind !== 'review' && !targets(e.checkpoint)) continue;
    const who = e.actor.login.toLowerCase();
    // A rejection stands whoever pushes later: commit authors can be forged, so they only keep approvals out.
    if (e.kind === 'reject') {
      if (mayApprove(e.actor, item, plan.pr.author).ok) latest.set(who, { kind: 'reject', by: e.actor.login, reason: e.reason, at: e.at });
      continue;
    }
    if (!mayApprove(e.actor, item, plan.pr.author, plan.pr.pushers).ok) continue;
    if (e.kind === 'review' && e.state !== 'APPROVED') {
      latest.delete(who); // changes requested or dismissed: that person's approval no longer stands
      continue;
    }
    // An approval by someone allowed to approve (so neither the author nor a pusher) lifts the item's rejections.
    for (const [maker, decision] of latest) if (decision.kind === 'reject' && mayLift(e.actor, decision.by, [item], plan.pr.author)) latest.delete(maker);
    if (!item.dismissStaleApprovals || e.commitSha === plan.pr.headSha) {
      latest.set(who, { kind: 'approve', record: { by: e.actor.login, at: e.at, via: e.kind === 'review' ? 'review' : 'command' } });
    } else {
      latest.delete(who); // approved an older head: stale after the push
    }
  }
  return latest;
}

function itemStatus(item: GateItem, plan: Plan, events: readonly EvidenceEvent[], emergency: BypassRecord | undefined, now: number): ItemStatus {
  if (emergency && item.allowBypass.includes('emergency')) return { state: 'bypassed', bypass: emergency };
  const decisions = [...decisionsFor(item, plan, events).values()];
  const rejections = decisions.filter((d): d is Extract<Decision, { kind: 'reject' }> => d.kind === 'reject').sort((a, b) => b.at - a.at);
  if (rejections[0]) return { state: 'rejected', by: rejections[0].by, reason: rejections[0].reason, at: rejections[0].at };
  if (plan.testBranch && item.allowBypass.includes('test_environment')) {
    return { state: 'bypassed', bypass: { kind: 'test_environment', branch: plan.pr.baseRef } };
  }
  if (item.allowBypass.includes('maintenance_window')) {
    const open = openWindows(plan.windows, now).find((w) => w.window.autoApprove.includes(item.name));
    if (open) return { state: 'bypassed', bypass: { kind: 'maintenance_window', window: open.window.name, approver: open.window.approverRole } };
  }
  const approvals = decisions.flatMap((d) => (d.kind === 'approve' ? [d.record] : [])).sort((a, b) => a.at - b.at);
  const criteria = item.criteria.map((name) => ({ name, ticked: isTicked(name, plan.tickedCriteria) }));
  const approved = approvals.length >= item.approvals && criteria.every((c) => c.ticked);
  if (approved) return { state: 'approved', approvals, criteria };
  if (!item.required) return { state: 'not-required', approvals, criteria };
  const deadline = plan.pr.startedAt + item.timeoutMs;
  return { state: 'pending', approvals, missingApprovals: Math.max(0, item.approvals - approvals.length), criteria, deadline, breached: now > deadline };
}

function verdictOf(items: readonly ItemEvaluation[], hold: Hold | undefined, decisionsUnknown: string | undefined): Verdict {
  const rejected = items.find((i) => i.status.state === 'rejected');
  if (rejected && rejected.status.state === 'rejected') {
    return { state: 'fail', summary: `${rejected.item.name} rejected by @${rejected.status.by}: ${rejected.status.reason}` };
  }
  if (hold) return { state: 'pending', summary: `on hold by @${hold.by} (/unhold to release)` };
  if (decisionsUnknown) return { state: 'pending', summary: `waiting: the recorded /reject and /hold decisions cannot be read (${decisionsUnknown})` };
  const pending = items.filter((i) => i.status.state === 'pending').map((i) => i.item.name);
  if (pending.length > 0) return { state: 'pending', summary: `waiting for ${pending.join(', ')}` };
  const bypassed = items.filter((i) => i.status.state === 'bypassed');
  if (items.length === 0) return { state: 'pass', summary: 'no human checkpoint needed' };
  return { state: 'pass', summary: bypassed.length === items.length ? 'all checkpoints bypassed' : 'all checkpoints approved' };
}

export function evaluate(plan: Plan, evidence: Evidence, now: number): Evaluation {
  const events = byTime(evidence.events);
  const hold = currentHold(plan, events);
  const bypass = currentBypass(plan, events);
  const items = plan.items.map((item) => ({ item, status: itemStatus(item, plan, events, bypass, now) }));
  const workflow = bypass ? 'emergency' : plan.riskWorkflow;
  return { workflow, items, hold, bypass, verdict: verdictOf(items, hold, evidence.decisionsUnknown) };
}
