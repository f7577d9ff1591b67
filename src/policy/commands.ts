/**
 * What the gate answers to each command of a new comment: accepted or refused, and why. Pure:
 * it asks the same authorize.ts as the engine, so a refusal here is never counted there.
 */
import { parseCommands, type ParsedCommand } from '../commands/parse.js';
import { mayApprove, mayBypass, mayHold, mayLift, type Permit } from './authorize.js';
import { DEPLOY_COMMAND_TARGET } from './deployment.js';
import { hasWriteAccess } from './roles.js';
import type { Actor, Evaluation, GateItem, Plan } from './types.js';

export type CommandEffect = 'evidence' | 'escalate' | 'ack' | 'status' | 'help';

export type Judgement =
  | { text: string; accepted: true; effect: CommandEffect; items: GateItem[] }
  | { text: string; accepted: false; reason: string };

const refuse = (text: string, reason: string): Judgement => ({ text, accepted: false, reason });

function decideApproval(text: string, actor: Actor, plan: Plan, checkpoint: string | undefined, rejecting: boolean): Judgement {
  const candidates = checkpoint === undefined ? plan.items : plan.items.filter((i) => i.name.toLowerCase() === checkpoint);
  if (candidates.length === 0) {
    const active = plan.items.map((i) => i.name).join(', ') || 'none';
    return refuse(text, checkpoint === undefined ? 'nothing on this pull request needs approval' : `unknown checkpoint "${checkpoint}" (active: ${active})`);
  }
  const permits = candidates.map((item) => ({ item, permit: mayApprove(actor, item, plan.pr.author, rejecting ? [] : plan.pr.pushers) }));
  const allowed = permits.filter((p) => p.permit.ok).map((p) => p.item);
  if (allowed.length > 0) return { text, accepted: true, effect: 'evidence', items: allowed };
  return refuse(text, (permits[0]!.permit as Extract<Permit, { ok: false }>).reason);
}

const fromPermit = (text: string, permit: Permit, effect: CommandEffect, items: GateItem[] = []): Judgement =>
  permit.ok ? { text, accepted: true, effect, items } : refuse(text, permit.reason);

export function judgeCommand(parsed: ParsedCommand, actor: Actor, plan: Plan, evaluation: Evaluation): Judgement {
  const { text } = parsed;
  if (!parsed.ok) return refuse(text, parsed.error);
  const command = parsed.command;
  const pending = evaluation.items.filter((i) => i.status.state === 'pending').map((i) => i.item);
  switch (command.kind) {
    case 'approve':
    case 'reject':
      return decideApproval(text, actor, plan, command.checkpoint, command.kind === 'reject');
    case 'hold':
    case 'unbypass':
      return fromPermit(text, mayHold(actor), 'evidence');
    case 'unhold': {
      // Evaluated with this /unhold counted: a hold still standing is one this person may not lift.
      const standing = evaluation.hold;
      if (mayHold(actor).ok && standing && !mayLift(actor, standing.by, plan.items, plan.pr.author)) {
        return refuse(text, `only @${standing.by} or an approver who is not the author can lift @${standing.by}'s hold`);
      }
      return fromPermit(text, mayHold(actor), 'evidence');
    }
    case 'bypass':
      return fromPermit(text, mayBypass(actor, plan, command.justification), 'evidence');
    case 'escalate':
      if (pending.length === 0) return refuse(text, 'nothing is pending, so there is nothing to escalate');
      return fromPermit(text, mayHold(actor), 'escalate', pending);
    case 'ack': {
      const mine = pending.filter((item) => mayApprove(actor, item, plan.pr.author, plan.pr.pushers).ok);
      if (mine.length === 0) return refuse(text, `@${actor.login} is not a pending approver here, so there is nothing to acknowledge`);
      return { text, accepted: true, effect: 'ack', items: mine };
    }
    case 'status':
      return { text, accepted: true, effect: 'status', items: [] };
    case 'help':
      return { text, accepted: true, effect: 'help', items: [] };
  }
}

export interface JudgedCommand {
  parsed: ParsedCommand;
  judgement: Judgement;
}

/** `/approve deploy` and `/reject deploy` are the deployment gate's (handled before), not the PR gate's. */
const isDeployCommand = (p: ParsedCommand) => p.ok && (p.command.kind === 'approve' || p.command.kind === 'reject') && p.command.checkpoint === DEPLOY_COMMAND_TARGET;

/**
 * The gate's commands of a new comment by `actor`, each judged against this evaluation (which
 * already counts them as evidence).
 */
export function judgeComment(body: string, actor: Actor, plan: Plan, evaluation: Evaluation): JudgedCommand[] {
  return parseCommands(body, [...plan.items.map((i) => i.name), DEPLOY_COMMAND_TARGET])
    .filter((p) => !isDeployCommand(p))
    .map((parsed) => ({ parsed, judgement: judgeCommand(parsed, actor, plan, evaluation) }));
}

/**
 * Every command but `/hitl status` and `/hitl help` needs write access (mayApprove, mayHold,
 * mayBypass): a comment of such commands by someone without it is refused as a whole, without
 * evaluating the pull request (a stranger's comment costs no evaluation). Undefined when the
 * comment must be judged against an evaluation.
 */
export function refuseWithoutWriteAccess(body: string, actor: Actor): JudgedCommand[] | undefined {
  if (hasWriteAccess(actor)) return undefined;
  const parsed = parseCommands(body, [DEPLOY_COMMAND_TARGET]).filter((p) => !isDeployCommand(p));
  if (parsed.some((p) => p.ok && (p.command.kind === 'status' || p.command.kind === 'help'))) return undefined;
  return parsed.map((p) => ({ parsed: p, judgement: refuse(p.text, p.ok ? `@${actor.login} needs write access to the repository for this command` : p.error) }));
}
