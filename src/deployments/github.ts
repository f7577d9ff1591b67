/**
 * The GitHub reads the deployment gate and the rollback checkpoint need, through the PR gate's
 * readers (src/github: cached config and actor facts), shaped for a repository-wide decision.
 * Thin: no decision is taken here.
 */
import { formatIssue } from '../config/load.js';
import type { ResolvedConfig, RoleMember } from '../config/types.js';
import { CONFIG_FILE, type ConfigReader } from '../github/config.js';
import type { Octokit } from '../github/counter.js';
import { teamsOf, type PullReader, type RepoRef } from '../github/pulls.js';
import { isBotLogin } from '../policy/roles.js';
import type { Actor } from '../policy/types.js';

/** An installation Octokit: Probot's `context.octokit`. */
export type GitHubClient = Octokit;
export type { RepoRef };

/** The PR gate's readers, shared so a deployment reads the config and people as the gate does. */
export interface GitHubReaders {
  config: Pick<ConfigReader, 'read'>;
  people: Pick<PullReader, 'actor'>;
}

export type LoadedConfig =
  | { ok: true; config: ResolvedConfig; version: string }
  | { ok: false; error: string; version: string };

/**
 * The config in force for a repository-wide decision (a deployment, a rollback): the file on
 * the default branch over the org's `.github` file over the built-in defaults. A read error
 * other than 404 throws (fail closed: an outage is not an absence).
 */
export async function readRepositoryConfig(readers: GitHubReaders, gh: GitHubClient, at: RepoRef, defaultBranch: string): Promise<LoadedConfig> {
  const { result, version } = await readers.config.read(gh, at.owner, at.repo, defaultBranch);
  if (result.ok) return { ok: true, config: result.config, version };
  const shown = result.errors.slice(0, 5).map((issue) => formatIssue(issue));
  const more = result.errors.length > shown.length ? ` (and ${result.errors.length - shown.length} more)` : '';
  return { ok: false, error: `invalid ${CONFIG_FILE}: ${shown.join('; ')}${more}`, version };
}

/**
 * What the policy needs to know about a person: the repository permission (only when a role
 * names a permission level, never for a bot) and membership of the teams the roles name.
 */
export function actorFacts(readers: GitHubReaders, gh: GitHubClient, at: RepoRef, login: string, isBot: boolean, members: readonly RoleMember[]): Promise<Actor> {
  const bot = isBot || isBotLogin(login);
  const needsPermission = !bot && members.some((m) => m.kind === 'permission');
  return readers.people.actor(gh, at, login, bot, teamsOf(members), needsPermission);
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
