/**
 * State → the JSON GitHub's REST API documents for each resource (the fields apps read, plus the
 * usual ids and URLs). URLs point at api.github.com like github.com's answers do; apps follow only
 * Link headers, which the pagination helper builds from the stand-in's own address.
 */
import type { CheckRun, Comment, Issue, Label, Pull, PullCommit, PullFile, Reaction, Repo, Review, Team } from './state.js';
import { blobSha } from './state.js';
import { userObject } from './users.js';

const API = 'https://api.github.com';
const WEB = 'https://github.com';

const nodeId = (kind: string, id: number): string => Buffer.from(`0:${kind}${id}`).toString('base64');

export function repositoryObject(repo: Repo) {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: userObject(repo.owner, 'Organization'),
    html_url: `${WEB}/${fullName}`,
    url: `${API}/repos/${fullName}`,
    default_branch: repo.defaultBranch,
    fork: false,
  };
}

export function labelObject(repo: Repo, label: Label) {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${API}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

function issueLabels(repo: Repo, issue: Issue) {
  return issue.labels.flatMap((name) => {
    const label = repo.labels.get(name.toLowerCase());
    return label ? [labelObject(repo, label)] : [];
  });
}

export function issueObject(repo: Repo, issue: Issue) {
  const base = `${API}/repos/${repo.owner}/${repo.name}`;
  return {
    id: issue.id,
    node_id: nodeId('Issue', issue.id),
    url: `${base}/issues/${issue.number}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: userObject(issue.user),
    labels: issueLabels(repo, issue),
    assignee: issue.assignees[0] ? userObject(issue.assignees[0]) : null,
    assignees: issue.assignees.map((login) => userObject(login)),
    comments: issue.comments.length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    author_association: 'MEMBER',
    ...(issue.pull ? { pull_request: { url: `${base}/pulls/${issue.number}`, html_url: `${WEB}/${repo.owner}/${repo.name}/pull/${issue.number}`, merged_at: issue.pull.merge?.at ?? null } } : {}),
  };
}

function branchObject(repo: Repo, ref: string, sha: string) {
  return { label: `${repo.owner}:${ref}`, ref, sha, user: userObject(repo.owner, 'Organization'), repo: repositoryObject(repo) };
}

/** Teams by slug; a requested team that was never seeded still renders (GitHub would have 422'd it). */
function teamObject(repo: Repo, slug: string, team: Team | undefined) {
  const id = team?.id ?? 0;
  return { id, node_id: nodeId('Team', id), slug, name: team?.name ?? slug, url: `${API}/orgs/${repo.owner}/teams/${slug}`, permission: 'pull' };
}

export function pullObject(repo: Repo, issue: Issue & { pull: Pull }, findTeam: (slug: string) => Team | undefined) {
  const { pull } = issue;
  const additions = pull.files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = pull.files.reduce((sum, file) => sum + file.deletions, 0);
  const base = issueObject(repo, issue);
  return {
    ...base,
    url: `${API}/repos/${repo.owner}/${repo.name}/pulls/${issue.number}`,
    issue_url: base.url,
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.merge?.at ?? null,
    merged_by: pull.merge ? userObject(pull.merge.by) : null,
    merge_commit_sha: pull.merge?.commitSha ?? null,
    mergeable: null,
    head: branchObject(repo, pull.head.ref, pull.head.sha),
    base: branchObject(repo, pull.base.ref, pull.base.sha),
    requested_reviewers: pull.requestedReviewers.map((login) => userObject(login)),
    requested_teams: pull.requestedTeams.map((slug) => teamObject(repo, slug, findTeam(slug))),
    additions,
    deletions,
    changed_files: pull.files.length,
    commits: 1,
  };
}

export function requestedReviewersObject(repo: Repo, pull: Pull, findTeam: (slug: string) => Team | undefined) {
  return {
    users: pull.requestedReviewers.map((login) => userObject(login)),
    teams: pull.requestedTeams.map((slug) => teamObject(repo, slug, findTeam(slug))),
  };
}

export function fileObject(repo: Repo, headSha: string, file: PullFile) {
  const path = file.filename.split('/').map(encodeURIComponent).join('/');
  return {
    // The blob's sha, as GitHub gives it: it changes with the file, not with every push.
    sha: blobSha(`${file.filename}\0${file.status}\0${file.additions}\0${file.deletions}\0${file.patch ?? ''}`),
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${WEB}/${repo.owner}/${repo.name}/blob/${headSha}/${path}`,
    raw_url: `${WEB}/${repo.owner}/${repo.name}/raw/${headSha}/${path}`,
    contents_url: `${API}/repos/${repo.owner}/${repo.name}/contents/${path}?ref=${headSha}`,
    ...(file.patch !== undefined ? { patch: file.patch } : {}),
    ...(file.previous_filename !== undefined ? { previous_filename: file.previous_filename } : {}),
  };
}

/** A pull request's commit as `GET /repos/{o}/{r}/pulls/{n}/commits` lists it. */
export function pullCommitObject(repo: Repo, commit: PullCommit, date: string) {
  const person = (login: string) => ({ name: login, email: `${login}@users.noreply.github.com`, date });
  return {
    sha: commit.sha,
    node_id: Buffer.from(`04:Commit${commit.sha}`).toString('base64'),
    url: `${API}/repos/${repo.owner}/${repo.name}/commits/${commit.sha}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}/commit/${commit.sha}`,
    commit: { author: person(commit.author), committer: person(commit.committer), message: `commit ${commit.sha.slice(0, 7)}`, comment_count: 0 },
    author: userObject(commit.author),
    committer: userObject(commit.committer),
    parents: [],
  };
}

export function reviewObject(repo: Repo, number: number, review: Review) {
  return {
    id: review.id,
    node_id: nodeId('PullRequestReview', review.id),
    user: userObject(review.user),
    body: review.body,
    state: review.state,
    html_url: `${WEB}/${repo.owner}/${repo.name}/pull/${number}#pullrequestreview-${review.id}`,
    pull_request_url: `${API}/repos/${repo.owner}/${repo.name}/pulls/${number}`,
    submitted_at: review.submitted_at,
    commit_id: review.commit_id,
    author_association: 'MEMBER',
  };
}

export function commentObject(repo: Repo, comment: Comment) {
  const base = `${API}/repos/${repo.owner}/${repo.name}`;
  const counts = Object.fromEntries(['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'].map((content) => [content, comment.reactions.filter((reaction) => reaction.content === content).length]));
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${base}/issues/comments/${comment.id}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${base}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userObject(comment.user),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: 'MEMBER',
    reactions: { url: `${base}/issues/comments/${comment.id}/reactions`, total_count: comment.reactions.length, ...counts },
  };
}

export function reactionObject(reaction: Reaction) {
  return { id: reaction.id, node_id: nodeId('Reaction', reaction.id), user: userObject(reaction.user), content: reaction.content, created_at: reaction.created_at };
}

export function checkRunObject(repo: Repo, run: CheckRun, appId: number, pulls: Array<Issue & { pull: Pull }>) {
  const base = `${API}/repos/${repo.owner}/${repo.name}`;
  return {
    id: run.id,
    node_id: nodeId('CheckRun', run.id),
    head_sha: run.head_sha,
    external_id: run.external_id,
    url: `${base}/check-runs/${run.id}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}/runs/${run.id}`,
    details_url: run.details_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${base}/check-runs/${run.id}/annotations` },
    name: run.name,
    check_suite: { id: run.id },
    app: { id: appId, slug: 'hitl', name: 'HITL', owner: userObject(repo.owner, 'Organization') },
    pull_requests: pulls.map((issue) => ({
      url: `${base}/pulls/${issue.number}`,
      id: issue.id,
      number: issue.number,
      head: { ref: issue.pull.head.ref, sha: issue.pull.head.sha, repo: { id: repo.id, url: `${base}`, name: repo.name } },
      base: { ref: issue.pull.base.ref, sha: issue.pull.base.sha, repo: { id: repo.id, url: `${base}`, name: repo.name } },
    })),
  };
}
