/**
 * The few GitHub reads the deployment gate and the rollback checkpoint need: the config in
 * force, who an actor is, and how to mention a role. Thin: no decision is taken here.
 */
import type { ProbotOctokit } from 'probot';
import { formatIssue, loadConfig } from '../config/load.js';
import type { Permission, ResolvedConfig, RoleMember } from '../config/types.js';
import { isBotLogin } from '../policy/roles.js';
import type { Actor } from '../policy/types.js';

/** An installation Octokit: Probot's `context.octokit`, or any Octokit with the REST methods. */
export type GitHubClient = Pick<ProbotOctokit, 'rest'>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export const CONFIG_FILE = '.hitl.yml';
const ORG_CONFIG_REPO = '.github';
const PERMISSIONS: readonly string[] = ['read', 'triage', 'write', 'maintain', 'admin'] satisfies Permission[];

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;

/** A GET that means "absent" on 404 and fails on anything else (fail closed: an outage is not an absence). */
async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

interface ConfigFile {
  text: string;
  sha: string;
}

async function readFile(gh: GitHubClient, at: RepoRef, ref?: string): Promise<ConfigFile | undefined> {
  const response = await unlessNotFound(gh.rest.repos.getContent({ ...at, path: CONFIG_FILE, ...(ref === undefined ? {} : { ref }) }));
  const data = response?.data;
  if (data === undefined || Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
  return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
}

export type LoadedConfig =
  | { ok: true; config: ResolvedConfig; version: string }
  | { ok: false; error: string; version: string };

/**
 * The config in force for a repository-wide decision (a deployment, a rollback): the file on
 * the default branch over the org's `.github` file over the built-in defaults.
 */
export async function readRepositoryConfig(gh: GitHubClient, at: RepoRef, defaultBranch: string): Promise<LoadedConfig> {
  const [repository, organization] = await Promise.all([
    readFile(gh, at, defaultBranch),
    at.repo === ORG_CONFIG_REPO ? Promise.resolve(undefined) : readFile(gh, { owner: at.owner, repo: ORG_CONFIG_REPO }),
  ]);
  const version = [repository?.sha, organization?.sha].filter(Boolean).join('+') || 'built-in';
  const loaded = loadConfig({ repository: repository?.text, organization: organization?.text });
  if (loaded.ok) return { ok: true, config: loaded.config, version };
  const shown = loaded.errors.slice(0, 5).map((issue) => formatIssue(issue));
  const more = loaded.errors.length > shown.length ? ` (and ${loaded.errors.length - shown.length} more)` : '';
  return { ok: false, error: `invalid ${CONFIG_FILE}: ${shown.join('; ')}${more}`, version };
}

/**
 * What the policy needs to know about a person: the repository permission (only when a role
 * names a permission level) and membership of the teams the roles name.
 */
export async function actorFacts(gh: GitHubClient, at: RepoRef, login: string, isBot: boolean, members: readonly RoleMember[]): Promise<Actor> {
  const bot = isBot || isBotLogin(login);
  const needsPermission = members.some((m) => m.kind === 'permission');
  const teams = [...new Map(members.flatMap((m) => (m.kind === 'team' ? [[`${m.org}/${m.slug}`, m] as const] : []))).values()];
  const [permission, memberships] = await Promise.all([
    needsPermission && !bot ? repositoryPermission(gh, at, login) : Promise.resolve<Actor['permission']>('none'),
    Promise.all(teams.map(async (team) => ((await isActiveTeamMember(gh, team.org, team.slug, login)) ? [`${team.org}/${team.slug}`] : []))),
  ]);
  return { login, isBot: bot, permission, teams: memberships.flat() };
}

async function repositoryPermission(gh: GitHubClient, at: RepoRef, username: string): Promise<Actor['permission']> {
  const response = await unlessNotFound(gh.rest.repos.getCollaboratorPermissionLevel({ ...at, username }));
  if (!response) return 'none';
  // role_name is the precise role (maintain, triage); permission folds those into write/read.
  const { role_name: role, permission } = response.data;
  if (PERMISSIONS.includes(role)) return role as Permission;
  return PERMISSIONS.includes(permission) ? (permission as Permission) : 'none';
}

async function isActiveTeamMember(gh: GitHubClient, org: string, teamSlug: string, username: string): Promise<boolean> {
  const response = await unlessNotFound(gh.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username }));
  return response?.data.state === 'active';
}

/** GitHub mentions for a role's users and teams; a permission level cannot be mentioned. */
export function mentionsOf(members: readonly RoleMember[]): string[] {
  const mentions = members.flatMap((m) => (m.kind === 'user' ? [`@${m.login}`] : m.kind === 'team' ? [`@${m.org}/${m.slug}`] : []));
  return [...new Set(mentions)];
}

/** Text from a payload shown in a comment the app writes: one line, no table breaks, no pings. */
export function inert(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return cut.replace(/\|/g, '\\|').replace(/@/g, '@\u200b');
}

/** A reply to someone: mentions them once, whether or not the reason already starts with their name. */
export function addressed(login: string, reason: string): string {
  return reason.toLowerCase().startsWith(`@${login.toLowerCase()}`) ? `${reason}.` : `@${login} ${reason}.`;
}
