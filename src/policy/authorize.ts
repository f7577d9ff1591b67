/**
 * Who may do what. One place answers both the engine (which evidence counts) and the command
 * handler (what to reply when a command is refused), so the two can never disagree.
 */
import { hasWriteAccess, isMember } from './roles.js';
import type { Actor, GateItem, Plan } from './types.js';

export type Permit = { ok: true } | { ok: false; reason: string };
const OK: Permit = { ok: true };

const WRITE_NEEDED = (actor: Actor, what: string): Permit => ({ ok: false, reason: `@${actor.login} needs write access to the repository to ${what}` });

/**
 * `author`: who opened the pull request; `pushers`: who pushed, authored or committed its current
 * changes (lower-cased; GitHub's "approval of the most recent reviewable push" rule): none of
 * them may approve the code they wrote. Approvers need write access, as GitHub and CODEOWNERS
 * require, even when a role names them by login.
 */
export function mayApprove(actor: Actor, item: GateItem, author: string, pushers: readonly string[] = []): Permit {
  if (actor.isBot) return { ok: false, reason: 'bots never count as approvers' };
  if (actor.login.toLowerCase() === author.toLowerCase()) return { ok: false, reason: 'the author of a pull request cannot approve it' };
  if (pushers.includes(actor.login.toLowerCase())) return { ok: false, reason: `@${actor.login} pushed or wrote commits of this pull request and cannot approve them` };
  if (!hasWriteAccess(actor)) return WRITE_NEEDED(actor, 'approve');
  if (!isMember(actor, item.approvers.members)) {
    const who = item.approvers.roles.length > 0 ? item.approvers.roles.join(' or ') : 'a collaborator with write access';
    return { ok: false, reason: `@${actor.login} is not an approver of ${item.name} (needs ${who})` };
  }
  return OK;
}

/** Anyone with write access may put a hold on (approvers need write access too); lifting another's is mayLift. */
export function mayHold(actor: Actor): Permit {
  if (actor.isBot) return { ok: false, reason: 'bots cannot hold a pull request' };
  if (hasWriteAccess(actor)) return OK;
  return WRITE_NEEDED(actor, 'hold or unhold');
}

/**
 * Whether `actor` lifts a decision `maker` made (a /reject, a /hold): the maker, or a member of
 * the roles of `items` who is not the author (product.md §4). Editing or deleting the decision's
 * comment lifts nothing.
 */
export function mayLift(actor: Actor, maker: string, items: readonly GateItem[], author: string): boolean {
  if (actor.isBot) return false;
  const login = actor.login.toLowerCase();
  if (login === maker.toLowerCase()) return true;
  return login !== author.toLowerCase() && hasWriteAccess(actor) && items.some((item) => isMember(actor, item.approvers.members));
}

export const MIN_JUSTIFICATION = 10;

export function mayBypass(actor: Actor, plan: Plan, justification: string): Permit {
  if (actor.isBot) return { ok: false, reason: 'bots cannot bypass the gate' };
  if (!hasWriteAccess(actor)) return WRITE_NEEDED(actor, 'bypass the gate');
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
