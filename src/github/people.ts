/**
 * Reading the people who act on a pull request or an issue: their permission on the repository
 * and their membership of the teams the config names (both cached briefly), and the members of
 * a team (for escalation's fallback reviewer).
 */
import type { Permission, RoleMember } from '../config/types.js';
import { isBotLogin } from '../policy/roles.js';
import type { Actor } from '../policy/types.js';
import { repoKey, repoOf, type RepoRef } from './address.js';
import { MINUTE, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';

const ACTOR_TTL_MS = 5 * MINUTE;

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

export class PeopleReader {
  constructor(private readonly cache: Cache) {}

  /** A person's repo permission (none for a bot: never read) and membership of `teams`. */
  async actor(gh: GitHubClient, at: RepoRef, login: string, isBot: boolean, teams: readonly TeamRef[]): Promise<Actor> {
    const user = login.toLowerCase();
    const permission = isBot ? 'none' : await this.cache.remember(this.cache.key('perm', repoKey(at), user), ACTOR_TTL_MS, () => this.permission(gh, at, login));
    const memberOf: string[] = [];
    for (const team of teams) {
      const name = `${team.org}/${team.slug}`;
      const member = await this.cache.remember(this.cache.key('team', name, user), ACTOR_TTL_MS, () => this.isTeamMember(gh, team, login));
      if (member) memberOf.push(name);
    }
    return { login, isBot, permission, teams: memberOf };
  }

  /**
   * What the policy needs to know about a person for a decision whose approvers are `members`:
   * the permission (every approver needs write access) and the teams the roles name.
   */
  facts(gh: GitHubClient, at: RepoRef, login: string, isBot: boolean, members: readonly RoleMember[]): Promise<Actor> {
    return this.actor(gh, at, login, isBot || isBotLogin(login), teamsOf(members));
  }

  private async permission(gh: GitHubClient, at: RepoRef, login: string): Promise<Permission | 'none'> {
    try {
      const { data } = await gh.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { ...repoOf(at), username: login });
      const level = (data.role_name ?? data.permission) as string;
      return (['read', 'triage', 'write', 'maintain', 'admin'] as const).find((p) => p === level) ?? (data.permission as Permission | 'none');
    } catch (error) {
      if (status(error) === 404) return 'none';
      throw error;
    }
  }

  private async isTeamMember(gh: GitHubClient, team: TeamRef, login: string): Promise<boolean> {
    try {
      const { data } = await gh.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', { org: team.org, team_slug: team.slug, username: login });
      return data.state === 'active';
    } catch (error) {
      if (status(error) === 404) return false;
      throw error;
    }
  }
}

/** The logins of a team's members (the first 100). */
export async function teamMembers(gh: GitHubClient, team: TeamRef): Promise<string[]> {
  const { data } = await gh.request('GET /orgs/{org}/teams/{team_slug}/members', { org: team.org, team_slug: team.slug, per_page: 100 });
  return data.map((member) => member.login);
}
