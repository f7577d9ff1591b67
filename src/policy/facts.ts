/**
 * What the policy is told about a pull request, built the same way by the app (from GitHub's
 * pull request and its files) and by the CLI (from two git refs): one place decides what counts
 * as a revert and how totals fall back when GitHub left them out.
 */
import type { ChangedFile, PrFacts } from './types.js';

const REVERT_TITLE = /^Revert "/;
const REVERT_BODY = /^(?:This reverts commit [0-9a-f]{7,40}\b|Reverts [\w.-]+\/[\w.-]+#\d+\b)/im;

/**
 * A pull request made by GitHub's "Revert" button (`Revert "…"`, body `Reverts owner/repo#12`)
 * or from `git revert` (body `This reverts commit <sha>.`). Either sign is enough: a false
 * positive only switches a stricter checkpoint on.
 */
export function isRevertPullRequest(title: string, body: string | null | undefined): boolean {
  return REVERT_TITLE.test(title) || REVERT_BODY.test(body ?? '');
}

/** The pull request's own fields the policy reads; totals are absent where GitHub left them out. */
export interface PullSummary extends Pick<PrFacts, 'number' | 'title' | 'body' | 'author' | 'authorIsBot' | 'baseRef' | 'headSha' | 'draft' | 'labels'> {
  totals?: { changedFiles: number; additions: number; deletions: number };
}

/** PrFacts of a pull request and its changed files (GitHub lists at most 3,000: its totals win). */
export function factsOf(pull: PullSummary, files: ChangedFile[], startedAt: number): PrFacts {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    author: pull.author,
    authorIsBot: pull.authorIsBot,
    baseRef: pull.baseRef,
    headSha: pull.headSha,
    draft: pull.draft,
    labels: pull.labels,
    files,
    changedFiles: pull.totals?.changedFiles ?? files.length,
    additions: pull.totals?.additions ?? files.reduce((sum, f) => sum + f.additions, 0),
    deletions: pull.totals?.deletions ?? files.reduce((sum, f) => sum + f.deletions, 0),
    isRevert: isRevertPullRequest(pull.title, pull.body),
    startedAt,
  };
}
