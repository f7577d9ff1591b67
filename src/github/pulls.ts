/**
 * Reading pull requests: the PR itself (from the payload when it is complete), its changed
 * files (paginated, cached per head and base SHA), reviews, comments, who wrote its commits, and
 * the pull requests a commit belongs to. The people acting on them are read by people.ts.
 */
import { createHash } from 'node:crypto';
import { isBotLogin } from '../policy/roles.js';
import type { CommentData, ReviewData } from '../policy/evidence.js';
import type { ChangedFile, PrFacts } from '../policy/types.js';
import { repoKey, repoOf, type RepoRef } from './address.js';
import { DAY, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';

const PAGE = 100;

/** The fields of a pull request the gate needs, whether from a payload or from the API. */
export interface PullData extends Pick<PrFacts, 'number' | 'title' | 'body' | 'author' | 'authorIsBot' | 'baseRef' | 'headSha' | 'draft' | 'labels'> {
  baseSha: string;
  headRef: string;
  open: boolean;
  /** Totals; absent in payloads that leave them out (review events). */
  totals?: { changedFiles: number; additions: number; deletions: number };
  requestedReviewers: string[];
  requestedTeams: string[];
  createdAt: string;
  updatedAt: string;
}

/** The structural subset of GitHub's pull request object (webhook or REST) that is read. */
export interface PullLike {
  number: number;
  title: string;
  body?: string | null;
  user: { login: string; type?: string } | null;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  draft?: boolean;
  state: string;
  labels?: Array<{ name?: string } | string>;
  changed_files?: number;
  additions?: number;
  deletions?: number;
  requested_reviewers?: Array<{ login?: string; name?: string } | null> | null;
  requested_teams?: Array<{ slug?: string } | null> | null;
  created_at: string;
  updated_at: string;
}

export function toPullData(pr: PullLike): PullData {
  const author = pr.user?.login ?? 'ghost';
  return {
    number: pr.number,
    title: pr.title,
    body: pr.body ?? '',
    author,
    authorIsBot: pr.user?.type === 'Bot' || isBotLogin(author),
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    draft: pr.draft ?? false,
    open: pr.state === 'open',
    labels: (pr.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name ?? '')).filter(Boolean),
    totals: pr.changed_files === undefined || pr.additions === undefined || pr.deletions === undefined
      ? undefined
      : { changedFiles: pr.changed_files, additions: pr.additions, deletions: pr.deletions },
    requestedReviewers: (pr.requested_reviewers ?? []).flatMap((r) => (r?.login ? [r.login.toLowerCase()] : [])),
    requestedTeams: (pr.requested_teams ?? []).flatMap((t) => (t?.slug ? [t.slug.toLowerCase()] : [])),
    createdAt: pr.created_at,
    updatedAt: pr.updated_at,
  };
}

/** A pull request a commit belongs to, as the deployment gate reads it. */
export interface CommitPull {
  number: number;
  headSha: string;
  mergeCommitSha?: string | null;
}

/**
 * What makes two listings of a file the same change: its status, old path and patch. GitHub
 * leaves the patch out of binary and very large diffs; then the file's blob at the head stands
 * in for it, and with neither there is no id (policy/stale.ts then counts the file as changed).
 */
function patchIdOf(f: { status: string; previous_filename?: string; patch?: string; sha?: string | null }): { patchId?: string } {
  const change = f.patch !== undefined ? ['patch', f.patch] : f.sha ? ['blob', f.sha] : undefined;
  if (change === undefined) return {};
  return { patchId: createHash('sha256').update(JSON.stringify([f.status, f.previous_filename ?? null, ...change])).digest('base64url') };
}

export class PullReader {
  constructor(private readonly cache: Cache) {}

  async pull(gh: GitHubClient, at: RepoRef, number: number): Promise<PullData> {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...repoOf(at), pull_number: number });
    return toPullData(data as PullLike);
  }

  /** Changed files, up to GitHub's 3,000; a given head and base always have the same diff. */
  async files(gh: GitHubClient, at: RepoRef, pr: PullData): Promise<ChangedFile[]> {
    const key = this.cache.key('files', repoKey(at), pr.number, pr.headSha, pr.baseSha);
    return this.cache.remember(key, DAY, async () => {
      const files = await gh.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { ...repoOf(at), pull_number: pr.number, per_page: PAGE });
      return files.map((f): ChangedFile => ({
        path: f.filename,
        ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
        additions: f.additions,
        deletions: f.deletions,
        ...patchIdOf(f),
      }));
    });
  }

  async reviews(gh: GitHubClient, at: RepoRef, number: number): Promise<ReviewData[]> {
    const reviews = await gh.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...repoOf(at), pull_number: number, per_page: PAGE });
    return reviews.flatMap((r) =>
      r.user && r.commit_id
        ? [{ login: r.user.login, isBot: r.user.type === 'Bot' || isBotLogin(r.user.login), state: r.state, commitSha: r.commit_id, at: Date.parse(r.submitted_at ?? '') || 0 }]
        : [],
    );
  }

  async comments(gh: GitHubClient, at: RepoRef, number: number): Promise<CommentData[]> {
    const comments = await gh.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repoOf(at), issue_number: number, per_page: PAGE });
    return comments.flatMap((c) =>
      c.user
        ? [{
            id: c.id,
            login: c.user.login,
            isBot: c.user.type === 'Bot' || isBotLogin(c.user.login),
            body: c.body ?? '',
            createdAt: Date.parse(c.created_at),
            edited: Date.parse(c.updated_at) > Date.parse(c.created_at),
          }]
        : [],
    );
  }

  /**
   * Who authored or committed the PR's commits (GitHub logins, lower-cased; a commit whose email
   * matches no account has none). A given head always has the same commits: read once per head.
   */
  async commitLogins(gh: GitHubClient, at: RepoRef, pr: Pick<PullData, 'number' | 'headSha'>): Promise<string[]> {
    const key = this.cache.key('commit-logins', repoKey(at), pr.number, pr.headSha);
    return this.cache.remember(key, DAY, async () => {
      const commits = await gh.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { ...repoOf(at), pull_number: pr.number, per_page: PAGE });
      const logins = commits.flatMap((c) => [c.author?.login, c.committer?.login]).filter((login): login is string => Boolean(login));
      return [...new Set(logins.map((login) => login.toLowerCase()))];
    });
  }

  /** The pull requests `sha` belongs to (its head, or merged as it). */
  async ofCommit(gh: GitHubClient, at: RepoRef, sha: string): Promise<CommitPull[]> {
    const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...repoOf(at), commit_sha: sha });
    return data.map((p) => ({ number: p.number, headSha: p.head.sha, mergeCommitSha: p.merge_commit_sha }));
  }
}
