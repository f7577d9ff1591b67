/**
 * The deployments area's entry points (src/deployments) as event handlers: the custom deployment
 * protection rule, `/approve deploy` and `/reject deploy <reason>` on a pull request, and the
 * rollback decision checkpoint (a `hitl.rollback` dispatch, then `/approve` or `/reject` on its issue).
 */
import type { Context } from 'probot';
import { parseCommands, type Command } from '../commands/parse.js';
import { DEPLOY_COMMAND_TARGET } from '../policy/deployment.js';
import { handleDeployCommand, handleDeploymentProtectionRule, type DeploymentDeps } from '../deployments/protection-rule.js';
import { handleRollbackCommand, handleRollbackDispatch } from '../deployments/rollback.js';
import { ROLLBACK_CHECKPOINT } from '../deployments/rollback-checkpoint.js';
import type { PendingDeployments, RollbackRecords } from '../deployments/store.js';
import type { EventKit } from './kit.js';

export interface DeploymentWiring {
  pending: PendingDeployments;
  records: RollbackRecords;
}

type Decision = { kind: 'approve' } | { kind: 'reject'; reason: string };

const decisionOf = (command: Command, target: (checkpoint: string | undefined) => boolean): Decision[] => {
  if (command.kind === 'approve' && target(command.checkpoint)) return [{ kind: 'approve' }];
  if (command.kind === 'reject' && target(command.checkpoint)) return [{ kind: 'reject', reason: command.reason }];
  return [];
};

/** `/approve deploy` and `/reject deploy <reason>` of a comment, in order. */
export function deployDecisions(body: string): Decision[] {
  return parseCommands(body, [DEPLOY_COMMAND_TARGET]).flatMap((p) => (p.ok ? decisionOf(p.command, (c) => c === DEPLOY_COMMAND_TARGET) : []));
}

/** `/approve [rollback_decision]` and `/reject [rollback_decision] <reason>` of a comment, in order. */
export function rollbackDecisions(body: string): Decision[] {
  return parseCommands(body, [ROLLBACK_CHECKPOINT]).flatMap((p) => (p.ok ? decisionOf(p.command, (c) => c === undefined || c === ROLLBACK_CHECKPOINT) : []));
}

function deploymentDeps(context: Context, kit: EventKit): DeploymentDeps {
  return {
    readers: kit.readers,
    github: context.octokit,
    audit: kit.audit,
    pending: kit.deployments.pending,
    clock: kit.clock,
    freezeWindows: (config) => config.deployments.freeze,
  };
}

export async function onDeploymentProtectionRule(context: Context<'deployment_protection_rule.requested'>, kit: EventKit): Promise<void> {
  const outcome = await handleDeploymentProtectionRule(context.payload, deploymentDeps(context, kit));
  if (outcome.kind === 'invalid') context.log.warn(`hitl: deployment_protection_rule ignored: ${outcome.error}`);
}

/** What became of a comment's commands, for its 👍 / 😕 reactions. */
export interface CommandTally {
  accepted: boolean;
  refused: boolean;
}

/** Answers the deploy decisions of a PR comment (a refusal is replied to); the rest of the comment is the gate's. */
export async function onDeployCommands(context: Context<'issue_comment.created'>, kit: EventKit, decisions: readonly Decision[]): Promise<CommandTally> {
  const tally: CommandTally = { accepted: false, refused: false };
  for (const decision of decisions) {
    const outcome = await handleDeployCommand(context.payload, decision, deploymentDeps(context, kit));
    if (outcome.kind === 'answered') tally.accepted = true;
    if (outcome.kind === 'refused') tally.refused = true;
  }
  return tally;
}

export async function onRepositoryDispatch(context: Context<'repository_dispatch'>, kit: EventKit): Promise<void> {
  // A rollback checkpoint escalates like any other: without an engine nobody could be paged, so none is opened.
  if (!kit.escalation) return;
  const outcome = await handleRollbackDispatch(context.payload, context.id, {
    readers: kit.readers, github: context.octokit, audit: kit.audit, records: kit.deployments.records, escalation: kit.escalation, clock: kit.clock,
  });
  if (outcome.kind === 'invalid') context.log.warn(`hitl: rollback dispatch ${outcome.dispatchId} refused: ${outcome.error}`);
}

/** A comment on an issue (not a PR): the rollback checkpoint's decisions when the issue carries one. */
export async function onIssueComment(context: Context<'issue_comment.created'>, kit: EventKit): Promise<void> {
  if (!kit.escalation) return;
  const deps = { readers: kit.readers, github: context.octokit, audit: kit.audit, records: kit.deployments.records, escalation: kit.escalation, clock: kit.clock };
  for (const decision of rollbackDecisions(context.payload.comment.body ?? '')) {
    const outcome = await handleRollbackCommand(context.payload, decision, deps);
    if (outcome.kind === 'not_rollback' || outcome.kind === 'already_decided') return;
  }
}
