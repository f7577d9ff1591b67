/**
 * The stand-in's in-memory GitHub: installations, repositories (files per ref, issues and pull
 * requests, labels, collaborators, check runs, Actions calls) and org teams. Tests and benches
 * seed it through the typed methods here and read back what the app wrote.
 */
import { createHash } from 'node:crypto';
import { stableId } from './users.js';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
export type TeamRole = 'member' | 'maintainer';
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
export type CheckStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';

export interface Label { id: number; name: string; color: string; description: string | null }
export interface PullFile { filename: string; status: FileStatus; additions: number; deletions: number; previous_filename?: string; patch?: string }
export interface Review { id: number; user: string; state: ReviewState; body: string; commit_id: string; submitted_at: string }
export interface Reaction { id: number; user: string; content: string; created_at: string }
export interface Comment { id: number; issueNumber: number; user: string; body: string; created_at: string; updated_at: string; reactions: Reaction[] }
export interface IssueEvent { id: number; event: string; actor: string; created_at: string; label?: { name: string; color: string }; assignee?: string; requested_reviewer?: string; requested_team?: string }
export interface Pull {
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  draft: boolean;
  merged: boolean;
  /** Set when merged: the commit the base branch moved to, when, and by whom. */
  merge: { commitSha: string; at: string; by: string } | null;
  files: PullFile[];
  /** The PR's commits, oldest first: who authored and who committed each (logins). */
  commits: PullCommit[];
  reviews: Review[];
  requestedReviewers: string[];
  requestedTeams: string[];
}
export interface PullCommit {
  sha: string;
  author: string;
  committer: string;
}
export interface Issue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  user: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  comments: Comment[];
  events: IssueEvent[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  pull?: Pull;
}
export interface Annotation { path: string; start_line: number; end_line: number; annotation_level: string; message: string; title?: string }
export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: CheckStatus;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  details_url: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Annotation[];
  actions: unknown[];
  /** How many PATCHes this run received: lets a test see "updated, not duplicated". */
  updates: number;
}
export interface DeploymentReview { runId: number; environment_name: string; state: string; comment: string; at: string }
export interface Dispatch { event_type: string; client_payload: unknown; at: string }
export interface Repo {
  id: number;
  owner: string;
  name: string;
  installationId: number;
  defaultBranch: string;
  private: boolean;
  branches: Map<string, string>;
  /** ref (branch name or commit sha) → path → file content */
  files: Map<string, Map<string, string>>;
  issues: Map<number, Issue>;
  labels: Map<string, Label>;
  collaborators: Map<string, Permission>;
  checkRuns: CheckRun[];
  deploymentReviews: DeploymentReview[];
  rerunRequests: number[];
  dispatches: Dispatch[];
}
export interface Team { id: number; org: string; slug: string; name: string; members: Map<string, TeamRole> }
export interface Installation { id: number; account: string; appId: number }

export interface RepoSeed { owner: string; repo: string; installationId: number; defaultBranch?: string; private?: boolean }
export interface PullSeed {
  number?: number;
  title?: string;
  body?: string;
  author: string;
  head: { ref: string; sha: string };
  base?: { ref: string; sha?: string };
  draft?: boolean;
  labels?: string[];
  files?: Array<Partial<PullFile> & { filename: string }>;
}
export interface ReviewSeed { user: string; state: ReviewState; body?: string; commit_id?: string }

/** Git's blob id, so content SHAs look and behave like GitHub's (same content → same sha). */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** GitHub's timestamps: ISO 8601 to the second. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const repoKey = (owner: string, repo: string): string => `${owner}/${repo}`.toLowerCase();
const teamKey = (org: string, slug: string): string => `${org}/${slug}`.toLowerCase();
/** GitHub's default colour for labels created implicitly by adding them to an issue. */
const DEFAULT_LABEL_COLOR = 'ededed';

export class StandInState {
  readonly installations = new Map<number, Installation>();
  readonly repos = new Map<string, Repo>();
  readonly teams = new Map<string, Team>();
  private readonly tokens = new Map<string, number>();
  private nextId = 1000;

  constructor(readonly clock: () => number, readonly appId = 1) {}

  newId(): number {
    return this.nextId++;
  }

  timestamp(): string {
    return isoSeconds(this.clock());
  }

  // ---- installations and tokens -------------------------------------------------------------

  installation(id: number, account = `org-${id}`): Installation {
    const existing = this.installations.get(id);
    if (existing) return existing;
    const created = { id, account, appId: this.appId };
    this.installations.set(id, created);
    return created;
  }

  /** Mints an installation token the way POST /app/installations/{id}/access_tokens does. */
  issueToken(installationId: number): string {
    this.installation(installationId);
    const token = `ghs_standin${installationId}x${this.newId()}`;
    this.tokens.set(token, installationId);
    return token;
  }

  installationForToken(token: string): number | null {
    return this.tokens.get(token) ?? null;
  }

  // ---- seeding --------------------------------------------------------------------------------

  addRepo(seed: RepoSeed): Repo {
    const installation = this.installation(seed.installationId, seed.owner);
    const defaultBranch = seed.defaultBranch ?? 'main';
    const repo: Repo = {
      id: stableId(`repo:${seed.owner}/${seed.repo}`),
      owner: seed.owner,
      name: seed.repo,
      installationId: installation.id,
      defaultBranch,
      private: seed.private ?? true,
      branches: new Map([[defaultBranch, blobSha(`${seed.owner}/${seed.repo}@${defaultBranch}`)]]),
      files: new Map(),
      issues: new Map(),
      labels: new Map(),
      collaborators: new Map(),
      checkRuns: [],
      deploymentReviews: [],
      rerunRequests: [],
      dispatches: [],
    };
    this.repos.set(repoKey(seed.owner, seed.repo), repo);
    return repo;
  }

  repo(owner: string, repo: string): Repo {
    const found = this.repos.get(repoKey(owner, repo));
    if (!found) throw new Error(`stand-in: repository ${owner}/${repo} was not seeded`);
    return found;
  }

  putFile(owner: string, repo: string, path: string, content: string, ref?: string): void {
    const target = this.repo(owner, repo);
    const branch = ref ?? target.defaultBranch;
    const files = target.files.get(branch) ?? new Map<string, string>();
    files.set(path.replace(/^\/+/, ''), content);
    target.files.set(branch, files);
  }

  deleteFile(owner: string, repo: string, path: string, ref?: string): void {
    const target = this.repo(owner, repo);
    target.files.get(ref ?? target.defaultBranch)?.delete(path.replace(/^\/+/, ''));
  }

  setBranch(owner: string, repo: string, branch: string, sha: string): void {
    this.repo(owner, repo).branches.set(branch, sha);
  }

  addPullRequest(owner: string, repo: string, seed: PullSeed): Issue {
    const target = this.repo(owner, repo);
    const baseRef = seed.base?.ref ?? target.defaultBranch;
    const baseSha = seed.base?.sha ?? target.branches.get(baseRef) ?? blobSha(`${owner}/${repo}@${baseRef}`);
    if (!target.branches.has(baseRef)) target.branches.set(baseRef, baseSha);
    target.branches.set(seed.head.ref, seed.head.sha);
    const issue = this.newIssue(target, { number: seed.number, title: seed.title ?? `PR by ${seed.author}`, body: seed.body ?? null, user: seed.author, labels: seed.labels ?? [] });
    issue.pull = {
      head: { ...seed.head },
      base: { ref: baseRef, sha: baseSha },
      draft: seed.draft ?? false,
      merged: false,
      merge: null,
      files: (seed.files ?? []).map((file) => ({ status: 'modified', additions: 1, deletions: 0, ...file })),
      commits: [{ sha: seed.head.sha, author: seed.author, committer: seed.author }],
      reviews: [],
      requestedReviewers: [],
      requestedTeams: [],
    };
    return issue;
  }

  /**
   * A new push: the head moves and, when given, the changed files are replaced. The new commit is
   * authored and committed by `by` (default: the PR's author).
   */
  pushToPull(owner: string, repo: string, number: number, sha: string, files?: PullSeed['files'], by?: string): void {
    const pull = this.pull(owner, repo, number);
    const author = by ?? this.issue(owner, repo, number).user;
    pull.head.sha = sha;
    pull.commits.push({ sha, author, committer: author });
    this.repo(owner, repo).branches.set(pull.head.ref, sha);
    if (files) pull.files = files.map((file) => ({ status: 'modified', additions: 1, deletions: 0, ...file }));
  }

  /** A merge commit on the base branch, as the merge button makes: the PR closes, the base moves; returns the commit. */
  mergePull(owner: string, repo: string, number: number, by: string): string {
    const issue = this.issue(owner, repo, number);
    const pull = this.pull(owner, repo, number);
    if (pull.merged) throw new Error(`stand-in: ${owner}/${repo}#${number} is already merged`);
    const target = this.repo(owner, repo);
    const commitSha = blobSha(`merge ${pull.head.sha} into ${target.branches.get(pull.base.ref) ?? pull.base.sha}`);
    const at = this.timestamp();
    pull.merged = true;
    pull.merge = { commitSha, at, by };
    target.branches.set(pull.base.ref, commitSha);
    issue.state = 'closed';
    issue.closed_at = at;
    this.recordEvent(issue, by, 'merged');
    this.recordEvent(issue, by, 'closed');
    return commitSha;
  }

  addReview(owner: string, repo: string, number: number, seed: ReviewSeed): Review {
    const pull = this.pull(owner, repo, number);
    const review: Review = { id: this.newId(), user: seed.user, state: seed.state, body: seed.body ?? '', commit_id: seed.commit_id ?? pull.head.sha, submitted_at: this.timestamp() };
    pull.reviews.push(review);
    return review;
  }

  addComment(owner: string, repo: string, number: number, user: string, body: string): Comment {
    const issue = this.issue(owner, repo, number);
    const at = this.timestamp();
    const comment: Comment = { id: this.newId(), issueNumber: number, user, body, created_at: at, updated_at: at, reactions: [] };
    issue.comments.push(comment);
    return comment;
  }

  setPermission(owner: string, repo: string, login: string, permission: Permission): void {
    this.repo(owner, repo).collaborators.set(login.toLowerCase(), permission);
  }

  addTeam(org: string, slug: string, members: Array<string | { login: string; role: TeamRole }>): Team {
    const team: Team = {
      id: this.newId(),
      org,
      slug,
      name: slug,
      members: new Map(members.map((member) => (typeof member === 'string' ? [member.toLowerCase(), 'member'] : [member.login.toLowerCase(), member.role]))),
    };
    this.teams.set(teamKey(org, slug), team);
    return team;
  }

  // ---- lookups used by the routes (undefined = GitHub's 404) ------------------------------------

  findRepo(owner: string, repo: string): Repo | undefined {
    return this.repos.get(repoKey(owner, repo));
  }

  findTeam(org: string, slug: string): Team | undefined {
    return this.teams.get(teamKey(org, slug));
  }

  /** Live objects for seeding and routes; throw when the test asked for something it never seeded. */
  issue(owner: string, repo: string, number: number): Issue {
    const issue = this.repo(owner, repo).issues.get(number);
    if (!issue) throw new Error(`stand-in: ${owner}/${repo}#${number} does not exist`);
    return issue;
  }

  pull(owner: string, repo: string, number: number): Pull {
    const pull = this.issue(owner, repo, number).pull;
    if (!pull) throw new Error(`stand-in: ${owner}/${repo}#${number} is an issue, not a pull request`);
    return pull;
  }

  /** Files at a ref: a branch name, or a commit sha that is some branch's head. */
  filesAt(repo: Repo, ref: string | undefined): Map<string, string> | undefined {
    const wanted = ref ?? repo.defaultBranch;
    const direct = repo.files.get(wanted);
    if (direct) return direct;
    for (const [branch, sha] of repo.branches) if (sha === wanted) return repo.files.get(branch);
    return undefined;
  }

  newIssue(repo: Repo, fields: { number?: number | undefined; title: string; body: string | null; user: string; labels: string[] }): Issue {
    const number = fields.number ?? Math.max(0, ...repo.issues.keys()) + 1;
    if (repo.issues.has(number)) throw new Error(`stand-in: ${repo.owner}/${repo.name}#${number} already exists`);
    const at = this.timestamp();
    const issue: Issue = { number, id: this.newId(), title: fields.title, body: fields.body, user: fields.user, state: 'open', labels: [], assignees: [], comments: [], events: [], created_at: at, updated_at: at, closed_at: null };
    repo.issues.set(number, issue);
    for (const name of fields.labels) this.ensureLabel(repo, name);
    issue.labels = [...new Set(fields.labels)];
    return issue;
  }

  /** Adding an unknown label to an issue creates it, as GitHub does. */
  ensureLabel(repo: Repo, name: string, color = DEFAULT_LABEL_COLOR, description: string | null = null): Label {
    const existing = repo.labels.get(name.toLowerCase());
    if (existing) return existing;
    const label = { id: this.newId(), name, color, description };
    repo.labels.set(name.toLowerCase(), label);
    return label;
  }

  recordEvent(issue: Issue, actor: string, event: string, detail: Omit<IssueEvent, 'id' | 'event' | 'actor' | 'created_at'> = {}): void {
    issue.events.push({ id: this.newId(), event, actor, created_at: this.timestamp(), ...detail });
    issue.updated_at = this.timestamp();
  }

  // ---- read-back for tests and benches (copies, so callers cannot corrupt state) ---------------

  checkRuns(owner: string, repo: string, filter: { headSha?: string; name?: string } = {}): CheckRun[] {
    return structuredClone(
      this.repo(owner, repo).checkRuns.filter((run) => (filter.headSha === undefined || run.head_sha === filter.headSha) && (filter.name === undefined || run.name === filter.name)),
    );
  }

  labelsOn(owner: string, repo: string, number: number): string[] {
    return [...this.issue(owner, repo, number).labels];
  }

  repoLabels(owner: string, repo: string): Label[] {
    return structuredClone([...this.repo(owner, repo).labels.values()]);
  }

  comments(owner: string, repo: string, number: number): Comment[] {
    return structuredClone(this.issue(owner, repo, number).comments);
  }

  reviewRequests(owner: string, repo: string, number: number): { users: string[]; teams: string[] } {
    const pull = this.pull(owner, repo, number);
    return { users: [...pull.requestedReviewers], teams: [...pull.requestedTeams] };
  }

  issueEvents(owner: string, repo: string, number: number): IssueEvent[] {
    return structuredClone(this.issue(owner, repo, number).events);
  }

  deploymentReviews(owner: string, repo: string): DeploymentReview[] {
    return structuredClone(this.repo(owner, repo).deploymentReviews);
  }
}
