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
  DroppedApproval,
  Evaluation,
  Evidence,
  EvidenceEvent,
  GateItem,
  HeadVerdict,
  Hold,
  ItemEvaluation,
  ItemStatus,
  Plan,
  Verdict,
} from './types.js';
import { HOLDS, UNKNOWN } from './stale.js';
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

/** Approvals of an item as they stand: each person's latest decision, and the approvals of older heads that no longer count. */
function decisionsFor(item: GateItem, plan: Plan, events: readonly EvidenceEvent[], olderHeads: Record<string, HeadVerdict>): { latest: Map<string, Decision>; dropped: Map<string, DroppedApproval> } {
  const latest = new Map<string, Decision>();
  const dropped = new Map<string, DroppedApproval>();
  const targets = (checkpoint: string | undefined) => checkpoint === undefined || checkpoint.toLowerCase() === item.name.toLowerCase();
  for (const e of events) {
    if (e.kind !== 'review' && e.kind !== 'approve' && e.kind !== 'reject') continue;
    if (e.kind !== 'review' && !targets(e.checkpoint)) continue;
    const who = e.actor.login.toLowerCase();
    // A rejection stands whoever pushes later: commit authors can be forged, so they only keep approvals out.
    if (e.kind === 'reject') {
      if (!mayApprove(e.actor, item, plan.pr.author).ok) continue;
      dropped.delete(who);
      latest.set(who, { kind: 'reject', by: e.actor.login, reason: e.reason, at: e.at });
      continue;
    }
    if (!mayApprove(e.actor, item, plan.pr.author, plan.pr.pushers).ok) continue;
    dropped.delete(who);
    if (e.kind === 'review' && e.state !== 'APPROVED') {
      latest.delete(who); // changes requested or dismissed: that person's approval no longer stands
      continue;
    }
    // An approval by someone allowed to approve (so neither the author nor a pusher) lifts the item's rejections.
    for (const [maker, decision] of latest) if (decision.kind === 'reject' && mayLift(e.actor, decision.by, [item], plan.pr.author)) latest.delete(maker);
    // An older head's approval holds only where policy/stale.ts says so; unknown heads fail closed.
    const verdict = e.commitSha === plan.pr.headSha || item.dismissStaleApprovals === false ? HOLDS : (olderHeads[e.commitSha] ?? UNKNOWN);
    if (verdict.holds) {
      latest.set(who, { kind: 'approve', record: { by: e.actor.login, at: e.at, via: e.kind === 'review' ? 'review' : 'command', commitSha: e.commitSha } });
    } else {
      latest.delete(who);
      dropped.set(who, { by: e.actor.login, commitSha: e.commitSha, ...(verdict.changed ? { changed: verdict.changed } : {}) });
    }
  }
  return { latest, dropped };
}

function itemStatus(item: GateItem, plan: Plan, decisions: readonly Decision[], emergency: BypassRecord | undefined, now: number): ItemStatus {
  if (emergency && item.allowBypass.includes('emergency')) return { state: 'bypassed', bypass: emergency };
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

function itemEvaluation(item: GateItem, plan: Plan, events: readonly EvidenceEvent[], evidence: Evidence, emergency: BypassRecord | undefined, now: number): ItemEvaluation {
  const { latest, dropped } = decisionsFor(item, plan, events, evidence.olderHeads?.[item.name] ?? {});
  const status = itemStatus(item, plan, [...latest.values()], emergency, now);
  // Only an item that waits for approvals (or just got them) asks again; a bypassed, rejected or optional one does not.
  const counts = status.state === 'pending' || status.state === 'approved';
  return { item, status, ...(counts && dropped.size > 0 ? { dropped: [...dropped.values()] } : {}) };
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
  const items = plan.items.map((item) => itemEvaluation(item, plan, events, evidence, bypass, now));
  const workflow = bypass ? 'emergency' : plan.riskWorkflow;
  return { workflow, items, hold, bypass, verdict: verdictOf(items, hold, evidence.decisionsUnknown) };
}
