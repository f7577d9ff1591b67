/**
 * A human decision outside a pull request's plan (a deployment waiting for a role, a rollback
 * issue) expressed as a gate item, so that authorize.ts is the one place that says who may
 * approve, here as on a pull request.
 */
import type { Approvers } from '../config/types.js';
import type { GateItem } from './types.js';

export function approvalItem(name: string, approvers: Approvers, approvals = 1, criteria: string[] = []): GateItem {
  return {
    name,
    kind: 'checkpoint',
    required: true,
    approvers,
    approvals,
    criteria,
    // Timers and bypasses of these decisions are handled by their own handlers, not by evaluate().
    timeoutMs: 0,
    escalateAfterMs: 0,
    dismissStaleApprovals: false,
    allowBypass: [],
    reasons: [],
  };
}
