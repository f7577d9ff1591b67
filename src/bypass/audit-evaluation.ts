/**
 * The audit entries an evaluation's bypasses call for. The gate evaluates a pull request on every
 * webhook, so the same bypass is seen many times: each entry carries a key, and only the first
 * sighting of a key is written (one decision, one entry). Maintenance-window approvals are left
 * to maintenance.ts, which also comments and schedules the window's summary.
 */
import type { AuditEntry } from '../audit/types.js';
import type { Evaluation, Evidence } from '../policy/types.js';
import { fullName, type PrAddress } from '../github/address.js';
import type { BypassDeps } from './deps.js';

export interface GateRef extends PrAddress {
  headSha: string;
  configVersion?: string;
}

export interface KeyedEntry {
  key: string;
  entry: AuditEntry;
}

/** Shared fields of every entry about one pull request at one head. */
export function entryBase(gate: GateRef, at: number): Pick<AuditEntry, 'at' | 'installationId' | 'repo' | 'pr' | 'headSha' | 'configVersion'> {
  return { at, installationId: gate.installationId, repo: fullName(gate), pr: gate.number, headSha: gate.headSha, configVersion: gate.configVersion };
}

export const prKey = (gate: PrAddress) => `${gate.installationId}:${fullName(gate)}#${gate.number}`;

/** Pure: one `bypassed` entry per gate item passed by an emergency bypass or a test-environment base branch. */
export function bypassEntries(evaluation: Evaluation, gate: GateRef, now: number): KeyedEntry[] {
  return evaluation.items.flatMap(({ item, status }): KeyedEntry[] => {
    if (status.state !== 'bypassed') return [];
    const bypass = status.bypass;
    const base = { ...entryBase(gate, now), checkpoint: item.name, workflow: evaluation.workflow, action: 'bypassed' as const };
    switch (bypass.kind) {
      case 'emergency':
        return [{
          // One emergency bypass is one decision, however many heads it outlives.
          key: `bypassed:${prKey(gate)}:${item.name}:emergency@${bypass.at}`,
          entry: { ...base, actor: bypass.by, reason: bypass.justification, details: { kind: 'emergency', bypassedAt: bypass.at } },
        }];
      case 'test_environment':
        return [{
          key: `bypassed:${prKey(gate)}:${item.name}:test@${gate.headSha}`,
          entry: { ...base, actor: 'hitl', reason: `base branch ${bypass.branch} is a test environment`, details: { kind: 'test_environment', branch: bypass.branch } },
        }];
      case 'maintenance_window':
        return [];
    }
  });
}

/** Writes each entry whose key was not seen before. */
export async function recordOnce(deps: Pick<BypassDeps, 'audit' | 'once'>, entries: readonly KeyedEntry[]): Promise<number> {
  let written = 0;
  for (const { key, entry } of entries) {
    // With Redis down the marker cannot be read: a duplicate entry is better than a lost one.
    const first = await deps.once.claim(`audit:${key}`).catch(() => true);
    if (!first) continue;
    await deps.audit.record(entry);
    written++;
  }
  return written;
}

/**
 * Who withdrew the bypass and when it took effect: the latest `unbypass` in the evidence (a
 * `/unbypass` or the label's removal), else the app now (the plan no longer allows it).
 */
function withdrawal(evidence: Evidence, now: number): { by: string; at: number } {
  const unbypasses = evidence.events.filter((e) => e.kind === 'unbypass').sort((a, b) => a.at - b.at);
  const last = unbypasses[unbypasses.length - 1];
  return last ? { by: last.actor.login, at: last.at } : { by: 'hitl', at: now };
}

/**
 * For the gate, after each evaluation (with the evidence it evaluated): audits emergency and
 * test-environment bypasses once each, and an `unbypassed` entry when an emergency bypass that
 * was in force at the previous evaluation is gone. Returns the number of entries written.
 */
export async function auditBypasses(deps: BypassDeps, evaluation: Evaluation, gate: GateRef, evidence: Evidence = { events: [] }): Promise<number> {
  const now = deps.now();
  const written = await recordOnce(deps, bypassEntries(evaluation, gate, now));
  const inForce = `emergency-in-force:${prKey(gate)}`;
  if (evaluation.bypass) {
    await deps.once.put(inForce, String(evaluation.bypass.at));
    return written;
  }
  const was = await deps.once.take(inForce);
  if (was === null) return written;
  const withdrawn = withdrawal(evidence, now);
  await deps.audit.record({
    ...entryBase(gate, now),
    actor: withdrawn.by,
    action: 'unbypassed',
    reason: 'emergency bypass withdrawn: the gate applies again',
    details: { kind: 'emergency', bypassedAt: Number(was), unbypassedAt: withdrawn.at },
  });
  return written + 1;
}
