/**
 * After a push that made approvals stale (policy/stale.ts): the people whose approvals were
 * dropped are asked again, and one comment says whose approval was dropped for which item and
 * which files changed. Each dropped approval is announced once per pull request (remembered in
 * Redis), so a redelivered webhook or a later event neither asks nor comments again.
 */
import type { DroppedApproval } from '../policy/types.js';
import { repoKey, type RepoRef } from './address.js';
import { DAY, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';
import { comment } from './comments.js';
import { requestReviews } from './reviewers.js';

const ANNOUNCED_TTL_MS = 30 * DAY;

export interface DroppedOnItem {
  item: string;
  approvals: DroppedApproval[];
}

const markOf = (item: string, approval: DroppedApproval) => `${item}|${approval.by.toLowerCase()}|${approval.commitSha}`;

export class DroppedApprovalWriter {
  constructor(private readonly cache: Cache) {}

  /** Re-requests and comments about the dropped approvals not announced before (returned); `render` writes the comment. */
  async announce(gh: GitHubClient, at: RepoRef, number: number, dropped: readonly DroppedOnItem[], render: (fresh: DroppedOnItem[]) => string): Promise<DroppedOnItem[]> {
    if (dropped.length === 0) return [];
    const key = this.cache.key('dropped', repoKey(at), number);
    const announced = await this.cache.members(key);
    // Redis cannot say what was announced: better no comment now than the same comment on every event.
    if (announced === undefined) return [];
    const seen = new Set(announced);
    const fresh = dropped
      .map(({ item, approvals }) => ({ item, approvals: approvals.filter((a) => !seen.has(markOf(item, a))) }))
      .filter((d) => d.approvals.length > 0);
    if (fresh.length === 0) return [];
    const marks = fresh.flatMap(({ item, approvals }) => approvals.map((a) => markOf(item, a)));
    // Marked before writing (evaluations of a PR run under its lock): a retry after a failed write finds them given back.
    await this.cache.addMembers(key, ANNOUNCED_TTL_MS, ...marks);
    try {
      const people = [...new Set(fresh.flatMap((d) => d.approvals.map((a) => a.by)))];
      await requestReviews(gh, at, number, people, []).catch((error: { status?: number }) => {
        if (error.status !== 422) throw error; // someone who lost access since cannot be asked: still tell the others
      });
      await comment(gh, at, number, render(fresh));
    } catch (error) {
      await this.cache.removeMembers(key, ...marks);
      throw error;
    }
    return fresh;
  }
}
