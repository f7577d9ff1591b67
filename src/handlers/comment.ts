/**
 * `issue_comment` created on a pull request: the comment's commands go to the pipeline, which
 * judges them against a fresh evaluation (that already counts them as evidence) and applies what
 * `/ack` and `/escalate` do before the check is written; they are then answered with a reaction,
 * and with a reply for refusals, `/hitl status` and `/hitl help`.
 */
import type { Context } from 'probot';
import type { AuditAction } from '../audit/types.js';
import { parseCommands, type Command } from '../commands/parse.js';
import { addressOf, type PrAddress } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { comment as reply, react as reactTo } from '../github/comments.js';
import { isBotLogin } from '../policy/roles.js';
import { renderHelp, renderStatus } from '../report/render.js';
import { acknowledgeViolation } from './bypass.js';
import { deployDecisions, onDeployCommands, onIssueComment, type CommandTally } from './deployments.js';
import type { EventKit } from './kit.js';

/**
 * Accepted commands the comment handler audits itself. Bypasses are audited by the bypass area
 * (once per decision); `/escalate` and `/ack` by the escalation engine, which records the level
 * reached and the pause (without an engine they are audited here).
 */
const AUDITED: Partial<Record<Command['kind'], AuditAction>> = { approve: 'approved', reject: 'rejected', hold: 'held', unhold: 'unheld' };
const ENGINE_AUDITED: Partial<Record<Command['kind'], AuditAction>> = { escalate: 'escalated', ack: 'acknowledged' };

export async function onComment(context: Context<'issue_comment.created'>, kit: EventKit): Promise<void> {
  const { issue, comment } = context.payload;
  const author = comment.user;
  if (!author || author.type === 'Bot' || isBotLogin(author.login)) return;
  if (!issue.pull_request) return onIssueComment(context, kit);
  const body = comment.body ?? '';
  const parsed = parseCommands(body);
  if (parsed.length === 0) return; // prose costs nothing: no read, no write
  const address = addressOf(context.payload, issue.number);
  const github = context.octokit;
  const deploy = deployDecisions(body);
  const deployed = await onDeployCommands(context, kit, deploy);
  if (deploy.length === parsed.length) return react(github, address, comment.id, deployed); // the gate has nothing to judge
  const outcome = await kit.pipeline.run({ address, github, comment: { login: author.login, body } });
  if (outcome.kind === 'closed' && parsed.some((p) => p.ok && p.command.kind === 'ack')) {
    // The one command a merged PR takes: the technical lead acknowledging its compliance violation.
    const loaded = await kit.readers.config.load(github, address.owner, address.repo, outcome.pull.baseRef);
    if (loaded.result.ok) {
      const answer = await acknowledgeViolation(kit.bypass, kit.escalation, github, address, outcome.pull, loaded.result.config, { login: author.login, isBot: false }, kit.readers);
      await reactTo(github, address, comment.id, answer.accepted ? '+1' : 'confused');
      await reply(github, address, issue.number, `@${author.login} ${answer.reply}`);
      return;
    }
  }
  if (outcome.kind !== 'evaluated') {
    const why = outcome.kind === 'closed' ? 'this pull request is closed' : 'the base branch’s `.hitl.yml` is invalid (see the `hitl` check)';
    await reactTo(github, address, comment.id, 'confused');
    await reply(github, address, issue.number, `@${author.login} HITL cannot take commands now: ${why}.`);
    return;
  }
  const { plan, evaluation, pull } = outcome;
  const replies: string[] = [];
  for (const { parsed: p, judgement } of outcome.commands) {
    if (!judgement.accepted) replies.push(`\`${judgement.text}\` refused: ${judgement.reason}.`);
    else if (judgement.effect === 'status') replies.push(renderStatus({ plan, evaluation }));
    else if (judgement.effect === 'help') replies.push(renderHelp());
    const action = judgement.accepted ? (p.ok ? AUDITED[p.command.kind] ?? (kit.escalation ? undefined : ENGINE_AUDITED[p.command.kind]) : undefined) : 'command_refused';
    if (action) {
      await kit.publisher.record(address, pull.headSha, [{
        action,
        actor: author.login,
        workflow: evaluation.workflow,
        reason: judgement.accepted ? judgement.text : judgement.reason,
        ...(judgement.accepted && judgement.items.length === 1 ? { checkpoint: judgement.items[0]!.name } : {}),
      }]);
    }
  }
  await react(github, address, comment.id, {
    accepted: deployed.accepted || outcome.commands.some((j) => j.judgement.accepted),
    refused: deployed.refused || outcome.commands.some((j) => !j.judgement.accepted),
  });
  if (replies.length > 0) await reply(github, address, issue.number, `@${author.login} ${replies.join('\n\n')}`);
}

/** One 👍 when anything was accepted, one 😕 when anything was refused. */
async function react(github: GitHubClient, at: PrAddress, commentId: number, tally: CommandTally): Promise<void> {
  if (tally.accepted) await reactTo(github, at, commentId, '+1');
  if (tally.refused) await reactTo(github, at, commentId, 'confused');
}
