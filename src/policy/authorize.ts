/**
 * Who may do what. One place answers both the engine (which evidence counts) and the command
 * handler (what to reply when a command is refused), so the two can never disagree.
 */
import { hasWriteAccess, isMember } from './roles.js';
import type { Actor, GateItem, Plan } from './types.js';

export type Permit = { ok: true } | { ok: false; reason: string };
const OK: Permit = { ok: true };

export function mayApprove(actor: Actor, item: GateItem, author: string): Permit {
  if (actor.isBot) return { ok: false, reason: 'bots never count as approvers' };
  if (actor.login.toLowerCase() === author.toLowerCase()) return { ok: false, reason: 'the author of a pull request cannot approve it' };
  if (!isMember(actor, item.approvers.members)) {
    const who = item.approvers.roles.length > 0 ? item.approvers.roles.join(' or ') : 'a collaborator with write access';
    return { ok: false, reason: `@${actor.login} is not an approver of ${item.name} (needs ${who})` };
  }
  return OK;
}

/** Anyone who could approve something, or who has write access, may put a hold on or off. */
export function mayHold(actor: Actor, plan: Plan): Permit {
  if (actor.isBot) return { ok: false, reason: 'bots cannot hold a pull request' };
  if (hasWriteAccess(actor) || plan.items.some((item) => isMember(actor, item.approvers.members))) return OK;
  return { ok: false, reason: `@${actor.login} needs write access or an approver role to hold or unhold` };
}

export const MIN_JUSTIFICATION = 10;

export function mayBypass(actor: Actor, plan: Plan, justification: string): Permit {
  if (actor.isBot) return { ok: false, reason: 'bots cannot bypass the gate' };
  if (!isMember(actor, plan.emergency.allowed)) {
    return { ok: false, reason: `@${actor.login} may not bypass (needs ${plan.emergency.allowedRoles.join(' or ') || 'a role in bypass.emergency.allowed'})` };
  }
  // Product.md §6: the author bypassing their own gate is a human checkpoint with nobody else in it.
  if (actor.login.toLowerCase() === plan.pr.author.toLowerCase() && !plan.emergency.allowAuthor) {
    return { ok: false, reason: `@${actor.login} is the author: an author may not bypass their own pull request unless bypass.emergency.allow_author is true` };
  }
  if (justification.trim().length < MIN_JUSTIFICATION) {
    return { ok: false, reason: `an emergency bypass needs a justification of at least ${MIN_JUSTIFICATION} characters` };
  }
  return OK;
}
