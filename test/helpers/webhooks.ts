/**
 * Real webhook payloads from @octokit/webhooks-examples, adapted per scenario: addressed to an
 * installation and to an org-owned repository so team roles and org defaults apply.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

const require = createRequire(import.meta.url);
let groups: ExampleGroup[] | undefined;

function allExamples(): ExampleGroup[] {
  groups ??= JSON.parse(readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8')) as ExampleGroup[];
  return groups;
}

export const OWNER = 'acme';
export const REPO = 'widgets';
export const INSTALLATION_ID = 1;

/** A deep copy of GitHub's first example of `name` (with `action`, when given), as it is. */
export function example<T = any>(name: string, action?: string): T {
  const found = allExamples().find((g) => g.name === name)?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no ${name}${action ? `.${action}` : ''} example in @octokit/webhooks-examples`);
  return structuredClone(found) as T;
}

/** The first example of `name` with `action`, moved to acme/widgets on installation 1. */
export function examplePayload<T = any>(name: string, action: string): T {
  const payload = example(name, action);
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
  payload.repository.name = REPO;
  payload.repository.full_name = `${OWNER}/${REPO}`;
  payload.repository.owner = { ...payload.repository.owner, login: OWNER, type: 'Organization' };
  return payload as T;
}

export interface PullShape {
  number?: number;
  author?: string;
  title?: string;
  body?: string;
  headSha?: string;
  baseRef?: string;
  draft?: boolean;
  labels?: string[];
  additions?: number;
  deletions?: number;
  changedFiles?: number;
}

export const AUTHOR = 'Codertocat';

const OPENED_AT = Date.parse('2026-11-24T09:00:00Z');
let events = 0;
/** Each event's pull request was updated a second after the previous one's, as on GitHub (the app refetches a payload no newer than the last). */
const nextUpdatedAt = () => new Date(OPENED_AT + ++events * 1000).toISOString();

/** The example's pull request object reshaped: who opened it, which head, base and size. */
export function pullObject(base: any, shape: PullShape = {}): any {
  const number = shape.number ?? 2;
  return {
    ...base,
    number,
    title: shape.title ?? 'Improve widgets',
    body: shape.body ?? '',
    state: 'open',
    draft: shape.draft ?? false,
    user: { ...base.user, login: shape.author ?? AUTHOR, type: 'User' },
    head: { ...base.head, ref: 'feature', sha: shape.headSha ?? 'head1' },
    base: { ...base.base, ref: shape.baseRef ?? 'main', sha: 'base1' },
    labels: (shape.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed' })),
    requested_reviewers: [],
    requested_teams: [],
    additions: shape.additions ?? 10,
    deletions: shape.deletions ?? 0,
    changed_files: shape.changedFiles ?? 1,
    created_at: new Date(OPENED_AT).toISOString(),
    updated_at: nextUpdatedAt(),
  };
}

export function pullRequestEvent(action: string, shape: PullShape = {}): any {
  const payload = examplePayload('pull_request', action);
  payload.pull_request = pullObject(payload.pull_request, shape);
  payload.number = payload.pull_request.number;
  return payload;
}

/** A review by `reviewer` on `commitSha`; the example's pull request object carries no size totals. */
export function reviewEvent(reviewer: string, state: 'approved' | 'changes_requested' | 'commented', shape: PullShape = {}, commitSha = shape.headSha ?? 'head1'): any {
  const payload = examplePayload('pull_request_review', 'submitted');
  const pull = pullObject(payload.pull_request, shape);
  delete pull.additions;
  delete pull.deletions;
  delete pull.changed_files;
  payload.pull_request = pull;
  payload.review = { ...payload.review, user: { ...payload.review.user, login: reviewer, type: 'User' }, state, commit_id: commitSha };
  return payload;
}

export function commentEvent(commenter: string, body: string, id: number, number = 2): any {
  const payload = examplePayload('issue_comment', 'created');
  payload.issue = { ...payload.issue, number, pull_request: { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}` } };
  payload.comment = { ...payload.comment, id, body, user: { ...payload.comment.user, login: commenter, type: 'User' }, created_at: '2026-11-24T10:00:00Z', updated_at: '2026-11-24T10:00:00Z' };
  return payload;
}
