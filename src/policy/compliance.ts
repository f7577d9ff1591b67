/**
 * What a merge means for the gate: whether it went through the gate (the `hitl` check of the
 * merged head) and which emergency bypass was in force when it happened (from the audit log).
 */
import type { AuditEntry } from '../audit/types.js';
import { HITL_CHECK } from './types.js';

/** Conclusions that satisfy a required check (GitHub's own rule). */
const GREEN = new Set(['success', 'neutral', 'skipped']);

/** A run of our `hitl` check (runs of other apps never reach here: see OwnCheckReader). */
export interface HitlRun {
  id: number;
  status: string;
  conclusion: string | null;
  started_at?: string | null;
}

export type Compliance = { state: 'compliant'; conclusion: string } | { state: 'violation'; reason: string };

/** The latest `hitl` run on the merged head decides; none, unfinished or not green is a violation. */
export function complianceOf(runs: readonly HitlRun[]): Compliance {
  const latest = [...runs].sort((a, b) => Date.parse(b.started_at ?? '') - Date.parse(a.started_at ?? '') || b.id - a.id)[0];
  if (!latest) return { state: 'violation', reason: `no \`${HITL_CHECK}\` check ran on the merged head` };
  if (latest.status !== 'completed' || latest.conclusion === null) return { state: 'violation', reason: `\`${HITL_CHECK}\` was still ${latest.status} when the pull request merged` };
  if (!GREEN.has(latest.conclusion)) return { state: 'violation', reason: `\`${HITL_CHECK}\` concluded ${latest.conclusion} when the pull request merged` };
  return { state: 'compliant', conclusion: latest.conclusion };
}

/** The merged pull request as emergencyAtMerge reads it. */
export interface MergedFacts {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  mergedAt: number;
}

export interface EmergencyInForce {
  by: string;
  justification: string;
  at: number;
}

/**
 * When an emergency bypass or its withdrawal took effect: the decision's own time (the command's
 * or the label's), not when its entry was written, which spaced writes put after the evaluation
 * and so possibly after an auto-merge the green check set off.
 */
function tookEffect(entry: AuditEntry): number {
  const at = entry.action === 'unbypassed' ? entry.details?.unbypassedAt : entry.details?.bypassedAt;
  return typeof at === 'number' ? at : entry.at;
}

/** Pure: the emergency bypass in force at `mergedAt` according to the PR's audit entries. */
export function emergencyAtMerge(entries: readonly AuditEntry[], pr: MergedFacts): EmergencyInForce | undefined {
  const relevant = entries
    .filter((e) => e.installationId === pr.installationId && e.repo.toLowerCase() === `${pr.owner}/${pr.repo}`.toLowerCase() && e.pr === pr.number)
    .filter((e) => (e.action === 'bypassed' && e.details?.kind === 'emergency') || e.action === 'unbypassed')
    .filter((e) => tookEffect(e) <= pr.mergedAt)
    .sort((a, b) => tookEffect(a) - tookEffect(b) || a.at - b.at);
  const last = relevant[relevant.length - 1];
  if (!last || last.action !== 'bypassed') return undefined;
  return { by: last.actor, justification: last.reason ?? '', at: tookEffect(last) };
}
