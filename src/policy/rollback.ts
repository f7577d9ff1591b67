/**
 * Who may decide a rollback decision checkpoint (an issue opened for an automated rollback):
 * the checkpoint's roles only, never its requester, and every criterion ticked to approve.
 */
import type { RoleMember } from '../config/types.js';
import { approvalItem } from './approval-item.js';
import { mayApprove } from './authorize.js';
import { isTicked, tickedCriteria } from './criteria.js';
import type { Actor } from './types.js';

/** The checkpoint as it was when its issue was opened (kept with the rollback record). */
export interface RollbackCheckpoint {
  name: string;
  roles: string[];
  members: RoleMember[];
  approvals: number;
  criteria: string[];
}

/** `impact_assessment` → `Impact assessment`: the prose form, which isTicked accepts too. */
export function criterionProse(criterion: string): string {
  const words = criterion.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type RollbackCommand = { kind: 'approve' } | { kind: 'reject'; reason: string };

export type RollbackVerdict =
  | { kind: 'refused'; reason: string }
  | { kind: 'approve' }
  | { kind: 'reject'; reason: string };

/** Whether a command on the rollback issue counts: the checkpoint's roles only, never its requester, criteria ticked to approve. */
export function judgeRollbackCommand(checkpoint: RollbackCheckpoint, requester: string, actor: Actor, command: RollbackCommand, issueBody: string): RollbackVerdict {
  const item = approvalItem(checkpoint.name, { roles: checkpoint.roles, members: checkpoint.members }, checkpoint.approvals, checkpoint.criteria);
  const permit = mayApprove(actor, item, requester);
  if (!permit.ok) return { kind: 'refused', reason: permit.reason };
  if (command.kind === 'reject') return { kind: 'reject', reason: command.reason };
  const ticked = tickedCriteria(issueBody);
  const missing = checkpoint.criteria.filter((criterion) => !isTicked(criterion, ticked));
  if (missing.length > 0) return { kind: 'refused', reason: `tick every criterion in the issue description first (missing: ${missing.map(criterionProse).join(', ')})` };
  return { kind: 'approve' };
}
