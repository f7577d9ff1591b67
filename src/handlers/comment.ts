/**
 * `issue_comment` created on a pull request: the comment's commands go to the pipeline, which
 * judges them against a fresh evaluation (that already counts them as evidence) and applies what
 * `/ack` and `/escalate` do before the check is written; they are then answered with a reaction,
 * and with a reply for refusals, `/hitl status` and `/hitl help`. Refusals are answered at most
 * once per person, pull request and REFUSAL_WINDOW_MS; commands from someone without write access
 * are refused before any evaluation.
 */
import type { Context } from 'probot';
import type { AuditAction } from '../audit/types.js';
import { parseCommands, type Command } from '../commands/parse.js';
import { prKey } from '../bypass/audit-evaluation.js';
import { addressOf, fullName, type PrAddress } from '../github/address.js';
import { MINUTE } from '../github/cache.js';
import type { GitHubClient } from '../github/client.js';
import { comment as reply, react as reactTo } from '../github/comments.js';
import { refuseWithoutWriteAccess, type Judgement } from '../policy/commands.js';
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

/** At most one refusal answered (reaction, reply, audit) per person per pull request in this window. */
export const REFUSAL_WINDOW_MS = 10 * MINUTE;

/**
 * Whether this person's refusal on this pull request may be answered: the first one in each
 * window is, later ones get nothing written (so refused commands cannot make HITL write for
 * anyone). The window is counted on the app's clock; while Redis cannot say, nothing is answered.
 */
function mayAnswerRefusal(kit: EventKit, pr: PrAddress, login: string): Promise<boolean> {
  const window = Math.floor(kit.clock() / REFUSAL_WINDOW_MS);
  return kit.bypass.once.claim(`refusal:${prKey(pr)}:${login.toLowerCase()}:${window}`, REFUSAL_WINDOW_MS).catch(() => false);
}

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
  // The permission is cached, and the evaluation would read it anyway: a stranger's commands are refused before any evaluation.
  const commenter = await kit.readers.people.actor(github, address, author.login, false, []);
  const unheard = refuseWithoutWriteAccess(body, commenter);
  if (unheard) {
    if (!(await mayAnswerRefusal(kit, address, author.login))) return;
    const refusals = unheard.flatMap(({ judgement }) => (judgement.accepted ? [] : [judgement]));
    for (const { reason } of refusals) {
      await kit.audit.record({ at: kit.clock(), installationId: address.installationId, repo: fullName(address), pr: address.number, actor: author.login, action: 'command_refused', reason });
    }
    await react(github, address, comment.id, { accepted: deployed.accepted, refused: true });
    await reply(github, address, issue.number, `@${author.login} ${refusals.map(refusalText).join('\n\n')}`);
    return;
  }
  const outcome = await kit.pipeline.run({ address, github, comment: { login: author.login, body } });
  if (outcome.kind === 'closed' && parsed.some((p) => p.ok && p.command.kind === 'ack')) {
    // The one command a merged PR takes: the technical lead acknowledging its compliance violation.
    const loaded = await kit.readers.config.load(github, address.owner, address.repo, outcome.pull.baseRef);
    if (loaded.result.ok) {
      const answer = await acknowledgeViolation(kit.bypass, kit.escalation, github, address, outcome.pull, loaded.result.config, { login: author.login, isBot: false }, kit.readers);
      if (!answer.accepted && !(await mayAnswerRefusal(kit, address, author.login))) return;
      await reactTo(github, address, comment.id, answer.accepted ? '+1' : 'confused');
      await reply(github, address, issue.number, `@${author.login} ${answer.reply}`);
      return;
    }
  }
  if (outcome.kind !== 'evaluated') {
    if (!(await mayAnswerRefusal(kit, address, author.login))) return;
    const why = outcome.kind === 'closed' ? 'this pull request is closed' : 'the base branch’s `.hitl.yml` is invalid (see the `hitl` check)';
    await reactTo(github, address, comment.id, 'confused');
    await reply(github, address, issue.number, `@${author.login} HITL cannot take commands now: ${why}.`);
    return;
  }
  const { plan, evaluation, pull } = outcome;
  const answerRefusals = outcome.commands.some((j) => !j.judgement.accepted) && (await mayAnswerRefusal(kit, address, author.login));
  const replies: string[] = [];
  for (const { parsed: p, judgement } of outcome.commands) {
    if (!judgement.accepted && !answerRefusals) continue;
    if (!judgement.accepted) replies.push(refusalText(judgement));
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
    refused: deployed.refused || answerRefusals,
  });
  if (replies.length > 0) await reply(github, address, issue.number, `@${author.login} ${replies.join('\n\n')}`);
}

const refusalText = (judgement: Extract<Judgement, { accepted: false }>) => `\`${judgement.text}\` refused: ${judgement.reason}.`;

/** One 👍 when anything was accepted, one 😕 when anything was refused. */
async function react(github: GitHubClient, at: PrAddress, commentId: number, tally: CommandTally): Promise<void> {
  if (tally.accepted) await reactTo(github, at, commentId, '+1');
  if (tally.refused) await reactTo(github, at, commentId, 'confused');
}
