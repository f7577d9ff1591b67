/**
 * What HITL did, read back from the stand-in's state: every call to `changes()` lists, in plain
 * words, what the app changed on the demo repository since the previous call (check runs, labels,
 * review requests, assignees, its comments and reactions, issues it opened or closed, answers to
 * deployments). The narration says only what is there, never what should be.
 */
import type { StandIn } from '../stand-in/index.js';
import type { CheckRun, Comment, Issue, Repo } from '../stand-in/state.js';
import type { RepoTarget } from '../stand-in/webhooks.js';
import { APP_LOGIN } from './world.js';

const REACTIONS: Record<string, string> = { '+1': '👍', '-1': '👎', confused: '😕', eyes: '👀', rocket: '🚀', hooray: '🎉', heart: '❤️', laugh: '😄' };

/** The first line a reader sees of a Markdown text: no hidden comments, headings or emphasis marks. */
export function firstLine(markdown: string, max = 110): string {
  const line =
    markdown
      .replace(/<!--[\s\S]*?-->/g, '')
      .split('\n')
      .map((text) => text.replace(/^#+\s*/, '').replace(/\*\*/g, '').trim())
      .find((text) => text !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function checkState(run: CheckRun): string {
  if (run.status !== 'completed') return run.status.replace('_', ' ');
  return run.conclusion ?? 'completed';
}

export class Observer {
  /** What was last reported of each thing, by key. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly standIn: StandIn,
    private readonly target: RepoTarget,
  ) {}

  private get repo(): Repo {
    return this.standIn.state.repo(this.target.owner, this.target.repo);
  }

  /** Lines for everything new or changed since the last call (the first call reports all there is). */
  changes(): string[] {
    const lines: string[] = [];
    /** Reports `line` when `key`'s value differs from the last one reported. */
    const note = (key: string, value: string, line: () => string | undefined) => {
      if (this.seen.get(key) === value) return;
      this.seen.set(key, value);
      const text = line();
      if (text) lines.push(text);
    };
    const repo = this.repo;
    for (const run of repo.checkRuns) {
      const title = run.output.title ?? '';
      note(`check:${run.id}`, `${checkState(run)}|${title}`, () => `check \`${run.name}\` on ${this.pullsAt(repo, run.head_sha)}: ${checkState(run)}${title ? ` — ${title}` : ''}`);
    }
    for (const issue of repo.issues.values()) this.issueChanges(issue, note);
    repo.deploymentReviews.forEach((review, index) =>
      note(`deployment:${index}`, review.state, () => `answered the \`${review.environment_name}\` deployment (workflow run ${review.runId}): ${review.state} — ${firstLine(review.comment, 160)}`),
    );
    return lines;
  }

  private issueChanges(issue: Issue, note: (key: string, value: string, line: () => string | undefined) => void): void {
    const ref = `#${issue.number}`;
    if (!issue.pull && issue.user === APP_LOGIN) {
      note(`issue:${issue.number}`, issue.state, () => (issue.state === 'open' ? `opened issue ${ref} "${issue.title}"` : `closed issue ${ref} "${issue.title}"`));
    }
    for (const label of issue.labels) note(`label:${issue.number}:${label}`, 'on', () => `label \`${label}\` on ${ref}`);
    for (const [key, value] of this.seen) {
      const prefix = `label:${issue.number}:`;
      if (key.startsWith(prefix) && value === 'on' && !issue.labels.includes(key.slice(prefix.length))) {
        note(key, 'off', () => `label \`${key.slice(prefix.length)}\` removed from ${ref}`);
      }
    }
    for (const login of issue.assignees) note(`assignee:${issue.number}:${login}`, 'on', () => `assigned @${login} to ${ref}`);
    if (issue.pull) {
      for (const login of issue.pull.requestedReviewers) note(`reviewer:${issue.number}:${login}`, 'on', () => `asked @${login} to review ${ref}`);
      for (const slug of issue.pull.requestedTeams) note(`team:${issue.number}:${slug}`, 'on', () => `asked the team @${this.target.owner}/${slug} to review ${ref}`);
    }
    for (const comment of issue.comments) this.commentChanges(ref, comment, note);
  }

  private commentChanges(ref: string, comment: Comment, note: (key: string, value: string, line: () => string | undefined) => void): void {
    if (comment.user === APP_LOGIN) {
      const key = `comment:${comment.id}`;
      const verb = this.seen.has(key) ? 'edited its comment' : 'commented';
      note(key, `${comment.updated_at}|${comment.body}`, () => `${verb} on ${ref}: ${firstLine(comment.body)}`);
      return;
    }
    for (const reaction of comment.reactions.filter((r) => r.user === APP_LOGIN)) {
      note(`reaction:${reaction.id}`, reaction.content, () => `reacted ${REACTIONS[reaction.content] ?? reaction.content} to @${comment.user}'s "${firstLine(comment.body, 60)}" on ${ref}`);
    }
  }

  private pullsAt(repo: Repo, sha: string): string {
    const numbers = [...repo.issues.values()].filter((issue) => issue.pull?.head.sha === sha).map((issue) => `#${issue.number}`);
    return numbers.length > 0 ? numbers.join(', ') : sha.slice(0, 7);
  }
}
