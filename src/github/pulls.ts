/**
 * Reading a pull request's facts: the PR itself (from the payload when it is complete),
 * its changed files (paginated, cached per head and base SHA), reviews, comments, and the
 * people acting on it (repo permission and team membership, cached briefly).
 */
import type { Permission, RoleMember } from '../config/types.js';
import { isBotLogin } from '../policy/roles.js';
import type { Actor, ChangedFile, PrFacts } from '../policy/types.js';
import { DAY, MINUTE, type Cache } from './cache.js';
import type { Octokit } from './counter.js';

const ACTOR_TTL_MS = 5 * MINUTE;
const PAGE = 100;

export interface RepoRef {
  owner: string;
  repo: string;
}

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

export interface ReviewData {
  login: string;
  isBot: boolean;
  state: string;
  commitSha: string;
  at: number;
}

export interface CommentData {
  id: number;
  login: string;
  isBot: boolean;
  body: string;
  createdAt: number;
  edited: boolean;
}

export interface TeamRef {
  org: string;
  slug: string;
}

/** The distinct teams among role members. */
export function teamsOf(members: readonly RoleMember[]): TeamRef[] {
  const seen = new Map<string, TeamRef>();
  for (const m of members) if (m.kind === 'team') seen.set(`${m.org}/${m.slug}`, { org: m.org, slug: m.slug });
  return [...seen.values()];
}

const status = (error: unknown) => (error as { status?: number }).status;

export class PullReader {
  constructor(private readonly cache: Cache) {}

  async pull(octokit: Octokit, ref: RepoRef, number: number): Promise<PullData> {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...ref, pull_number: number });
    return toPullData(data as PullLike);
  }

  /** Changed files, up to GitHub's 3,000; a given head and base always have the same diff. */
  async files(octokit: Octokit, ref: RepoRef, pr: PullData): Promise<ChangedFile[]> {
    const key = this.cache.key('files', `${ref.owner}/${ref.repo}`.toLowerCase(), pr.number, pr.headSha, pr.baseSha);
    return this.cache.remember(key, DAY, async () => {
      const files = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { ...ref, pull_number: pr.number, per_page: PAGE });
      return files.map((f): ChangedFile => ({
        path: f.filename,
        ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
        additions: f.additions,
        deletions: f.deletions,
      }));
    });
  }

  async reviews(octokit: Octokit, ref: RepoRef, number: number): Promise<ReviewData[]> {
    const reviews = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...ref, pull_number: number, per_page: PAGE });
    return reviews.flatMap((r) =>
      r.user && r.commit_id
        ? [{ login: r.user.login, isBot: r.user.type === 'Bot' || isBotLogin(r.user.login), state: r.state, commitSha: r.commit_id, at: Date.parse(r.submitted_at ?? '') || 0 }]
        : [],
    );
  }

  async comments(octokit: Octokit, ref: RepoRef, number: number): Promise<CommentData[]> {
    const comments = await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...ref, issue_number: number, per_page: PAGE });
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
   * A person's repo permission and membership of the teams the config names. `withPermission:
   * false` skips the permission read (as 'none') when no role the caller checks names a level.
   */
  async actor(octokit: Octokit, ref: RepoRef, login: string, isBot: boolean, teams: readonly TeamRef[], withPermission = true): Promise<Actor> {
    const repoKey = `${ref.owner}/${ref.repo}`.toLowerCase();
    const user = login.toLowerCase();
    const permission = withPermission
      ? await this.cache.remember(this.cache.key('perm', repoKey, user), ACTOR_TTL_MS, () => this.permission(octokit, ref, login))
      : 'none';
    const memberOf: string[] = [];
    for (const team of teams) {
      const name = `${team.org}/${team.slug}`;
      const member = await this.cache.remember(this.cache.key('team', name, user), ACTOR_TTL_MS, () => this.isTeamMember(octokit, team, login));
      if (member) memberOf.push(name);
    }
    return { login, isBot, permission, teams: memberOf };
  }

  private async permission(octokit: Octokit, ref: RepoRef, login: string): Promise<Permission | 'none'> {
    try {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { ...ref, username: login });
      const level = (data.role_name ?? data.permission) as string;
      return (['read', 'triage', 'write', 'maintain', 'admin'] as const).find((p) => p === level) ?? (data.permission as Permission | 'none');
    } catch (error) {
      if (status(error) === 404) return 'none';
      throw error;
    }
  }

  private async isTeamMember(octokit: Octokit, team: TeamRef, login: string): Promise<boolean> {
    try {
      const { data } = await octokit.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', { org: team.org, team_slug: team.slug, username: login });
      return data.state === 'active';
    } catch (error) {
      if (status(error) === 404) return false;
      throw error;
    }
  }
}
