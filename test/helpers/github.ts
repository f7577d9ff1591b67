/**
 * nock scopes for the GitHub REST calls HITL makes, on api.github.com for acme/widgets.
 * Writes capture their request bodies so a test can assert the fields GitHub documents.
 */
import { createHash } from 'node:crypto';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import type { GitHubClient } from '../../src/github/client.js';
import { INSTALLATION_ID, OWNER, REPO } from './webhooks.js';

export const API = 'https://api.github.com';
const R = `/repos/${OWNER}/${REPO}`;

/** An installation client as Probot builds it, without retries or throttling: each request is seen once and no timer stays open. */
export function testOctokit(): GitHubClient {
  return new ProbotOctokit({ auth: { token: 'test-token' }, retry: { enabled: false }, throttle: { enabled: false } });
}

export function github(): nock.Scope {
  return nock(API);
}

export function mockToken(scope: nock.Scope): void {
  scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
}

export interface ConfigFile {
  owner?: string;
  repo?: string;
  ref?: string;
  /** The blob SHA (the app caches parsed configs by it): git's own by default. */
  sha?: string;
  etag?: string;
}

/** Git's blob SHA, as GitHub names a file's content. */
const blobSha = (text: string) => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');

/** `.hitl.yml` at `ref` as the contents API returns it, or 404 when `text` is undefined. */
export function mockConfig(scope: nock.Scope, text: string | undefined, { owner = OWNER, repo = REPO, ref = 'main', sha, etag = '"cfg-etag-1"' }: ConfigFile = {}): void {
  const read = scope.get(`/repos/${owner}/${repo}/contents/.hitl.yml`).query({ ref });
  if (text === undefined) read.reply(404, { message: 'Not Found' });
  else read.reply(200, { type: 'file', name: '.hitl.yml', path: '.hitl.yml', sha: sha ?? blobSha(text), encoding: 'base64', content: Buffer.from(text).toString('base64') }, { etag });
}

/** The conditional read of an unchanged config: answered 304, free of rate limit. */
export function mockConfigNotModified(scope: nock.Scope, { ref = 'main', etag = '"cfg-etag-1"' } = {}): void {
  scope.get(`${R}/contents/.hitl.yml`).query({ ref }).matchHeader('if-none-match', etag).reply(304);
}

export function mockNoOrgConfig(scope: nock.Scope, owner = OWNER): void {
  scope.get(`/repos/${owner}/.github/contents/.hitl.yml`).reply(404, { message: 'Not Found' });
}

/**
 * The config reads of an app whose cache starts empty: the repository's file every time, the
 * org's defaults (none here) the first time per owner only, as the app re-checks them at most
 * every 5 minutes.
 */
export function configReads(): (scope: nock.Scope, text: string | undefined, file?: ConfigFile) => void {
  const orgsRead = new Set<string>();
  return (scope, text, file = {}) => {
    mockConfig(scope, text, file);
    const owner = file.owner ?? OWNER;
    if (!orgsRead.has(owner)) mockNoOrgConfig(scope, owner);
    orgsRead.add(owner);
  };
}

export function mockPull(scope: nock.Scope, pull: unknown, number = 2): void {
  scope.get(`${R}/pulls/${number}`).reply(200, pull as nock.Body);
}

export interface FileShape {
  path: string;
  additions?: number;
  deletions?: number;
  status?: 'added' | 'modified' | 'removed' | 'renamed';
  previousPath?: string;
  /** The diff GitHub shows (left out of binary and huge files), and the file's blob at the head. */
  patch?: string;
  sha?: string;
}

export function mockFiles(scope: nock.Scope, files: FileShape[], number = 2): void {
  scope
    .get(`${R}/pulls/${number}/files`)
    .query({ per_page: 100 })
    .reply(200, files.map((f) => ({
      filename: f.path,
      status: f.status ?? 'modified',
      additions: f.additions ?? 10,
      deletions: f.deletions ?? 0,
      changes: (f.additions ?? 10) + (f.deletions ?? 0),
      ...(f.previousPath === undefined ? {} : { previous_filename: f.previousPath }),
      ...(f.patch === undefined ? {} : { patch: f.patch }),
      ...(f.sha === undefined ? {} : { sha: f.sha }),
    })));
}

export interface ReviewShape {
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commitSha: string;
  at?: string;
}

export function mockReviews(scope: nock.Scope, reviews: ReviewShape[], number = 2): void {
  scope
    .get(`${R}/pulls/${number}/reviews`)
    .query({ per_page: 100 })
    .reply(200, reviews.map((r, i) => ({ id: 100 + i, user: { login: r.login, type: 'User' }, state: r.state, commit_id: r.commitSha, submitted_at: r.at ?? '2026-11-24T10:00:00Z' })));
}

export interface CommentShape {
  id: number;
  login: string;
  body: string;
  at?: string;
  editedAt?: string;
}

export function mockComments(scope: nock.Scope, comments: CommentShape[], number = 2): void {
  scope
    .get(`${R}/issues/${number}/comments`)
    .query({ per_page: 100 })
    .reply(200, comments.map((c) => ({ id: c.id, user: { login: c.login, type: 'User' }, body: c.body, created_at: c.at ?? '2026-11-24T10:00:00Z', updated_at: c.editedAt ?? c.at ?? '2026-11-24T10:00:00Z' })));
}

/**
 * The PR's commits, each authored and committed by one of `writers` (read once per head when an
 * approval could count: whoever wrote the code does not approve it).
 */
export function mockCommits(scope: nock.Scope, writers: string[], number = 2): void {
  scope
    .get(`${R}/pulls/${number}/commits`)
    .query({ per_page: 100 })
    .reply(200, writers.map((login, i) => ({ sha: `c${i}`.padEnd(40, '0'), author: { login, type: 'User' }, committer: { login, type: 'User' }, commit: { message: `commit ${i}` } })));
}

export function mockPermission(scope: nock.Scope, login: string, role: 'read' | 'triage' | 'write' | 'maintain' | 'admin'): void {
  const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  scope.get(`${R}/collaborators/${login}/permission`).reply(200, { permission, role_name: role, user: { login } });
}

export function mockTeam(scope: nock.Scope, slug: string, login: string, member: boolean): void {
  const path = `/orgs/${OWNER}/teams/${slug}/memberships/${login}`;
  if (member) scope.get(path).reply(200, { state: 'active', role: 'member' });
  else scope.get(path).reply(404, { message: 'Not Found' });
}

type Method = 'post' | 'patch' | 'delete';

/** Expects one write and returns the list its body is captured into. */
export function expectWrite(scope: nock.Scope, method: Method, path: string, reply: nock.Body = {}, status = 200, bodies: any[] = []): any[] {
  const matcher = (body: unknown) => {
    bodies.push(body);
    return true;
  };
  scope.intercept(path.startsWith('/repos') ? path : `${R}${path}`, method.toUpperCase(), matcher).reply(status, reply);
  return bodies;
}

/** Several creations can share one `bodies` list, in request order. */
export const checkRunCreated = (scope: nock.Scope, id: number, bodies: any[] = []) => expectWrite(scope, 'post', '/check-runs', { id }, 201, bodies);
export const checkRunUpdated = (scope: nock.Scope, id: number) => expectWrite(scope, 'patch', `/check-runs/${id}`, { id });
