/** The one entry point for `pull_request.closed`: compliance first, then the post-implementation review. */
import type { Compliance } from '../policy/compliance.js';
import { checkCompliance, type ComplianceEscalation, type ComplianceGitHub } from './compliance.js';
import type { BypassDeps } from './deps.js';
import { openPostReview, type MergedPr, type PostReviewOutcome } from './post-review.js';

/** The `pull_request.closed` payload fields HITL reads (a subset of GitHub's). */
export interface ClosedPayload {
  installation?: { id: number };
  repository: { name: string; owner: { login: string } };
  pull_request: {
    number: number;
    title: string;
    merged: boolean | null;
    merged_at: string | null;
    merged_by?: { login: string } | null;
    created_at: string;
    head: { sha: string };
  };
}

/** Pure: the merged pull request, or undefined when it was closed without merging. */
export function mergedPrFromPayload(payload: ClosedPayload, configVersion?: string): MergedPr | undefined {
  const pr = payload.pull_request;
  if (!pr.merged || pr.merged_at === null || payload.installation === undefined) return undefined;
  return {
    installationId: payload.installation.id,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    number: pr.number,
    title: pr.title,
    headSha: pr.head.sha,
    createdAt: Date.parse(pr.created_at),
    mergedAt: Date.parse(pr.merged_at),
    mergedBy: pr.merged_by?.login,
    configVersion,
  };
}

export async function onPullRequestMerged(
  deps: BypassDeps & ComplianceGitHub & { escalation: ComplianceEscalation },
  pr: MergedPr,
  options: { postReview: boolean },
): Promise<{ compliance: Compliance; postReview?: PostReviewOutcome }> {
  const compliance = await checkCompliance(deps, pr);
  const postReview = options.postReview ? await openPostReview(deps, pr) : undefined;
  return { compliance, postReview };
}
