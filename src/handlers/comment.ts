/**
 * `issue_comment` created on a pull request: the comment's commands are judged against a fresh
 * evaluation (which already counts them as evidence), then answered with a reaction, and with
 * a reply for refusals, `/hitl status` and `/hitl help`.
 */
import type { Context } from 'probot';
import type { AuditAction } from '../audit/types.js';
import { parseCommands, type Command, type ParsedCommand } from '../commands/parse.js';
import { comment as reply, react as reactTo } from '../github/comments.js';
import { isBotLogin } from '../policy/roles.js';
import { renderHelp, renderStatus } from '../report/render.js';
import { DEPLOY_COMMAND_TARGET } from '../deployments/gate.js';
import { acknowledgeViolation } from './bypass.js';
import { deployDecisions, onDeployCommands, onIssueComment, type CommandTally } from './deployments.js';
import { judgeCommand, type Judgement } from './commands.js';
import type { EventKit } from './kit.js';

/**
 * Accepted commands the comment handler audits itself. Bypasses are audited after the evaluation
 * (src/bypass: once per decision); `/escalate` and `/ack` by the escalation engine, which records
 * the level reached and the pause (without an engine they are audited here).
 */
const AUDITED: Partial<Record<Command['kind'], AuditAction>> = { approve: 'approved', reject: 'rejected', hold: 'held', unhold: 'unheld' };
const ENGINE_AUDITED: Partial<Record<Command['kind'], AuditAction>> = { escalate: 'escalated', ack: 'acknowledged' };

export async function onComment(context: Context<'issue_comment.created'>, kit: EventKit): Promise<void> {
  const { issue, comment } = context.payload;
  const author = comment.user;
  if (!author || author.type === 'Bot' || isBotLogin(author.login)) return;
  if (!issue.pull_request) return onIssueComment(context, kit);
  const parsed = parseCommands(comment.body ?? '');
  if (parsed.length === 0) return; // prose costs nothing: no read, no write
  const deploy = deployDecisions(comment.body ?? '');
  const request = kit.target(context, issue.number);
  const { ref, octokit } = request;
  const deployed = await onDeployCommands(context, kit, deploy);
  if (deploy.length === parsed.length) return react(kit, request, comment.id, deployed); // the gate has nothing to judge
  let judged: Array<{ parsed: ParsedCommand; judgement: Judgement }> = [];
  // Judged and applied before the checks are written, so an accepted /ack or /escalate shows on them now.
  const result = await kit.gate.run({
    ...request,
    beforeRender: async ({ plan, evaluation, actors }) => {
      const actor = actors.get(author.login.toLowerCase()) ?? (await kit.gate.actor(request, plan, author.login, false));
      judged = parseCommands(comment.body ?? '', [...plan.items.map((i) => i.name), DEPLOY_COMMAND_TARGET])
        .filter((p) => !(p.ok && (p.command.kind === 'approve' || p.command.kind === 'reject') && p.command.checkpoint === DEPLOY_COMMAND_TARGET))
        .map((p) => ({ parsed: p, judgement: judgeCommand(p, actor, plan, evaluation) }));
      for (const { parsed: p, judgement } of judged) {
        await applyEffect(kit, request, judgement, author.login, p.ok && p.command.kind === 'escalate' ? p.command.reason : '');
      }
    },
  });
  if (result.kind === 'closed' && parsed.some((p) => p.ok && p.command.kind === 'ack')) {
    // The one command a merged PR takes: the technical lead acknowledging its compliance violation.
    const loaded = await kit.gate.loadConfig(request, result.pull.baseRef);
    if (loaded.result.ok) {
      const answer = await acknowledgeViolation(kit.bypass, kit.escalation, request, result.pull, loaded.result.config, { login: author.login, isBot: false }, kit.readers);
      await reactTo(octokit, ref, comment.id, answer.accepted ? '+1' : 'confused');
      await reply(octokit, ref, issue.number, `@${author.login} ${answer.reply}`);
      return;
    }
  }
  if (result.kind !== 'evaluated') {
    const why = result.kind === 'closed' ? 'this pull request is closed' : 'the base branch’s `.hitl.yml` is invalid (see the `hitl` check)';
    await reactTo(octokit, ref, comment.id, 'confused');
    await reply(octokit, ref, issue.number, `@${author.login} HITL cannot take commands now: ${why}.`);
    return;
  }
  const { plan, evaluation, pull } = result;
  const replies: string[] = [];
  for (const { parsed: p, judgement } of judged) {
    if (!judgement.accepted) replies.push(`\`${judgement.text}\` refused: ${judgement.reason}.`);
    else if (judgement.effect === 'status') replies.push(renderStatus({ plan, evaluation }));
    else if (judgement.effect === 'help') replies.push(renderHelp());
    const action = judgement.accepted ? (p.ok ? AUDITED[p.command.kind] ?? (kit.escalation ? undefined : ENGINE_AUDITED[p.command.kind]) : undefined) : 'command_refused';
    if (action) {
      await kit.gate.record(request, pull, {
        action,
        actor: author.login,
        workflow: evaluation.workflow,
        reason: judgement.accepted ? judgement.text : judgement.reason,
        ...(judgement.accepted && judgement.items.length === 1 ? { checkpoint: judgement.items[0]!.name } : {}),
      });
    }
  }
  await react(kit, request, comment.id, {
    accepted: deployed.accepted || judged.some((j) => j.judgement.accepted),
    refused: deployed.refused || judged.some((j) => !j.judgement.accepted),
  });
  if (replies.length > 0) await reply(octokit, ref, issue.number, `@${author.login} ${replies.join('\n\n')}`);
}

/** One 👍 when anything was accepted, one 😕 when anything was refused. */
async function react(kit: EventKit, request: ReturnType<EventKit['target']>, commentId: number, tally: CommandTally): Promise<void> {
  if (tally.accepted) await reactTo(request.octokit, request.ref, commentId, '+1');
  if (tally.refused) await reactTo(request.octokit, request.ref, commentId, 'confused');
}

async function applyEffect(kit: EventKit, request: ReturnType<EventKit['target']>, judgement: Judgement, by: string, reason: string): Promise<void> {
  if (!judgement.accepted || !kit.escalation) return;
  for (const item of judgement.items) {
    const target = kit.gate.target(request, item.name);
    if (judgement.effect === 'escalate') await kit.escalation.escalateNow(target, by, reason || 'asked with /escalate');
    if (judgement.effect === 'ack') await kit.escalation.acknowledge(target, by);
  }
}
