/**
 * Review requests: the gate asks each wanted person and team once per pull request (remembered
 * in Redis), never the author, nobody already asked or who reviewed; escalation re-requests.
 */
import { repoKey, repoOf, type RepoRef } from './address.js';
import { DAY, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';
import type { PullData } from './pulls.js';

const ASKED_TTL_MS = 30 * DAY;

export class ReviewerWriter {
  constructor(private readonly cache: Cache) {}

  /**
   * Requests reviews from people and teams not asked before on this PR (by us or anyone) and
   * who have not reviewed yet; never the author.
   */
  async requestReviewers(gh: GitHubClient, at: RepoRef, pr: Pick<PullData, 'number' | 'author' | 'requestedReviewers' | 'requestedTeams'>, wanted: { users: string[]; teams: string[] }, reviewed: readonly string[]): Promise<void> {
    const askedKey = this.cache.key('requested', repoKey(at), pr.number);
    const asked = new Set((await this.cache.members(askedKey)) ?? []);
    const skipUser = new Set([pr.author.toLowerCase(), ...pr.requestedReviewers, ...reviewed.map((r) => r.toLowerCase())]);
    const users = [...new Set(wanted.users.map((u) => u.toLowerCase()))].filter((u) => !skipUser.has(u) && !asked.has(`user:${u}`));
    const teams = [...new Set(wanted.teams.map((t) => t.toLowerCase()))].filter((t) => !pr.requestedTeams.includes(t) && !asked.has(`team:${t}`));
    if (users.length === 0 && teams.length === 0) return;
    // Remembered before the request: a refused request (422, e.g. not a collaborator) is not retried on every event.
    await this.cache.addMembers(askedKey, ASKED_TTL_MS, ...users.map((u) => `user:${u}`), ...teams.map((t) => `team:${t}`));
    try {
      await requestReviews(gh, at, pr.number, users, teams);
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error;
    }
  }
}

/** Requests reviews as asked, whoever was asked before (escalation's re-request). */
export async function requestReviews(gh: GitHubClient, at: RepoRef, number: number, users: string[], teams: string[]): Promise<void> {
  if (users.length + teams.length === 0) return;
  await gh.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { ...repoOf(at), pull_number: number, reviewers: users, team_reviewers: teams });
}
