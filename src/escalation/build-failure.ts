/**
 * Failing builds on the default branch (product.md §5): a failed `workflow_run` opens (or
 * updates) one "build failing" issue per workflow and escalates it through the same ladder, with
 * level 1 re-running the failed jobs once; a later green run of that workflow closes the issue
 * and cancels the timers. The issue and the run live in Redis; the module is also the GatePort
 * for its items, so a fired timer sees whether the build is still failing.
 */
import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import { createIssue, updateIssue } from '../github/issues.js';
import { levelsOf, roleMentionsOf } from './ladder.js';
import { BUILD_FAILING_LABEL } from './messages.js';
import type { Diagnostics, EscalationPort, EscalationTarget, GateAnswer, GatePort } from './types.js';

/** The fields of GitHub's `workflow_run` webhook payload this module reads. */
export interface WorkflowRunPayload {
  action: string;
  installation?: { id: number };
  repository: { id?: number; name: string; full_name?: string; owner: { login: string }; default_branch: string };
  workflow_run: {
    id: number;
    name?: string | null;
    workflow_id: number;
    head_branch: string | null;
    head_sha: string;
    event: string;
    conclusion: string | null;
    run_attempt?: number;
    html_url: string;
    actor?: { login: string } | null;
    head_repository?: { full_name?: string } | null;
  };
  sender?: { login: string };
}

export type BuildOutcome =
  | { kind: 'ignored'; why: string }
  | { kind: 'opened'; issue: number }
  | { kind: 'updated'; issue: number }
  | { kind: 'unchanged'; issue: number }
  | { kind: 'closed'; issue: number };

const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);
const ITEM_PREFIX = 'build/';

export function isBuildItem(item: string): boolean {
  return item.startsWith(ITEM_PREFIX);
}

export interface BuildFailureOptions {
  /** Any ioredis connection (the engine's `connection` will do). */
  redis: Redis;
  /** The same prefix as the engine's. */
  prefix: string;
  escalation: EscalationPort;
  clock?: Clock;
}

interface BuildState {
  issue: number;
  runId: number;
  runAttempt: number;
  runUrl: string;
  headSha: string;
  branch: string;
  workflowName: string;
  author: string;
  since: number;
  roleMentions: Record<number, string[]>;
}

export class BuildFailureWatch implements GatePort {
  constructor(private readonly options: BuildFailureOptions) {}

  private key(installationId: number, owner: string, repo: string, workflowId: string | number): string {
    return `${this.options.prefix}:escalation-build:${installationId}/${owner.toLowerCase()}/${repo.toLowerCase()}/${workflowId}`;
  }

  /** The Probot `workflow_run.completed` handler: `(context) => watch.handle(context.payload, context.octokit, config)`. */
  async handle(payload: WorkflowRunPayload, github: GitHubClient, config: Pick<ResolvedConfig, 'escalation' | 'roles' | 'notify'>): Promise<BuildOutcome> {
    const run = payload.workflow_run;
    const installationId = payload.installation?.id;
    if (payload.action !== 'completed') return { kind: 'ignored', why: `action ${payload.action}` };
    if (installationId === undefined) return { kind: 'ignored', why: 'no installation in the payload' };
    if (run.head_branch !== payload.repository.default_branch) return { kind: 'ignored', why: 'not the default branch' };
    // A pull request from a fork can name its branch like the default one: only runs of this repository count.
    if (run.event === 'pull_request' || (run.head_repository?.full_name && payload.repository.full_name && run.head_repository.full_name !== payload.repository.full_name)) {
      return { kind: 'ignored', why: 'not a run of the default branch itself' };
    }
    const owner = payload.repository.owner.login;
    const repo = payload.repository.name;
    const key = this.key(installationId, owner, repo, run.workflow_id);
    const known = decode(await this.options.redis.hgetall(key));
    const target = (issue: number): EscalationTarget => ({ installationId, owner, repo, number: issue, item: `${ITEM_PREFIX}${run.workflow_id}` });

    if (run.conclusion === 'success') {
      if (!known) return { kind: 'ignored', why: 'green, and nothing was failing' };
      await comment(github, { owner, repo }, known.issue, `The default branch is green again: [run ${run.id}](${run.html_url}) passed at \`${run.head_sha.slice(0, 7)}\`. Closing.`);
      await updateIssue(github, { owner, repo }, known.issue, { state: 'closed' });
      await this.options.escalation.cancel(target(known.issue), 'build fixed');
      await this.options.redis.del(key);
      return { kind: 'closed', issue: known.issue };
    }
    if (!FAILED.has(run.conclusion ?? '')) return { kind: 'ignored', why: `conclusion ${run.conclusion ?? 'none'}` };

    const now = (this.options.clock ?? systemClock)();
    const state: BuildState = {
      issue: known?.issue ?? 0,
      runId: run.id,
      runAttempt: run.run_attempt ?? 1,
      runUrl: run.html_url,
      headSha: run.head_sha,
      branch: payload.repository.default_branch,
      workflowName: run.name ?? `workflow ${run.workflow_id}`,
      author: run.actor?.login ?? payload.sender?.login ?? owner,
      since: known?.since ?? now,
      roleMentions: roleMentionsOf(config),
    };
    if (known && known.runId === state.runId && known.runAttempt === state.runAttempt) return { kind: 'unchanged', issue: known.issue };
    let outcome: BuildOutcome;
    if (known) {
      await updateIssue(github, { owner, repo }, known.issue, { body: issueBody(state) });
      outcome = { kind: 'updated', issue: known.issue };
    } else {
      // Two deliveries at once must not open two issues.
      if ((await this.options.redis.set(`${key}:opening`, '1', 'PX', 60_000, 'NX')) !== 'OK') return { kind: 'ignored', why: 'another delivery is opening the issue' };
      const { number: issue } = await createIssue(github, { owner, repo }, { title: `Build failing on ${state.branch}: ${state.workflowName}`, body: issueBody(state), labels: [BUILD_FAILING_LABEL] });
      state.issue = issue;
      outcome = { kind: 'opened', issue };
    }
    await this.options.redis.hset(key, encode(state));
    await this.options.redis.del(`${key}:opening`);
    const levels = levelsOf(config);
    await this.options.escalation.ensure({
      ...target(state.issue),
      since: state.since,
      // A broken default branch has no reviewer SLA: it is breached when every level has been tried.
      deadline: state.since + levels.reduce((sum, level) => sum + level.timeoutMs, 0),
      escalateAt: state.since,
      levels,
      notify: config.notify,
      subject: { kind: 'build', runId: state.runId, workflowName: state.workflowName },
    });
    return outcome;
  }

  async check(target: EscalationTarget): Promise<GateAnswer> {
    const state = decode(await this.options.redis.hgetall(this.key(target.installationId, target.owner, target.repo, target.item.slice(ITEM_PREFIX.length))));
    if (!state || state.issue !== target.number) return { pending: false };
    const diagnostics: Diagnostics = {
      author: state.author,
      pendingApprovers: [],
      roleMentions: state.roleMentions,
      missing: [`${state.workflowName} failed on ${state.branch} at ${state.headSha.slice(0, 7)} (run ${state.runId}, attempt ${state.runAttempt}): ${state.runUrl}`],
      commands: [`gh run rerun ${state.runId} --failed --repo ${target.owner}/${target.repo}`],
      headSha: state.headSha,
    };
    return { pending: true, diagnostics };
  }
}

function issueBody(state: BuildState): string {
  return [
    `<!-- hitl:build-failing -->`,
    `**${state.workflowName}** is failing on \`${state.branch}\` since ${new Date(state.since).toISOString()}.`,
    '',
    `Latest failure: [run ${state.runId}, attempt ${state.runAttempt}](${state.runUrl}) at \`${state.headSha.slice(0, 7)}\`, started by @${state.author}.`,
    '',
    'HITL escalates this issue through the escalation levels (level 1 re-runs the failed jobs once) and closes it when a run of this workflow passes on the default branch.',
  ].join('\n');
}

function encode(state: BuildState): Record<string, string | number> {
  return { ...state, roleMentions: JSON.stringify(state.roleMentions) };
}

function decode(h: Record<string, string>): BuildState | undefined {
  if (!h.issue) return undefined;
  return {
    issue: Number(h.issue),
    runId: Number(h.runId),
    runAttempt: Number(h.runAttempt),
    runUrl: h.runUrl ?? '',
    headSha: h.headSha ?? '',
    branch: h.branch ?? '',
    workflowName: h.workflowName ?? '',
    author: h.author ?? '',
    since: Number(h.since),
    roleMentions: JSON.parse(h.roleMentions ?? '{}') as Record<number, string[]>,
  };
}
