/**
 * After a pull request merged with an emergency bypass in force, one post-implementation review
 * issue (the seed's Emergency Bypass process: post-action review, documentation, lessons learned),
 * assigned to the person who bypassed and linked to the pull request. Whether a bypass was in
 * force at the merge is read from the audit log, the durable record of decisions, by when each
 * decision took effect.
 */
import { emergencyAtMerge, type EmergencyInForce } from '../policy/compliance.js';
import { entryBase, prKey, type GateRef } from './audit-evaluation.js';
import { fullName } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { createIssue, issuesLabelled } from '../github/issues.js';
import type { BypassDeps } from './deps.js';

export const POST_REVIEW_LABEL = 'hitl:post-review';

export interface MergedPr extends GateRef {
  title: string;
  createdAt: number;
  mergedAt: number;
  mergedBy?: string;
}

/** Hidden in the issue body: how an existing review issue for this PR is recognised. */
export const postReviewMarker = (pr: MergedPr) => `<!-- hitl:post-review ${fullName(pr)}#${pr.number} -->`;

export function postReviewTitle(pr: MergedPr): string {
  return `Post-implementation review: #${pr.number} ${pr.title}`.slice(0, 256);
}

export function postReviewBody(pr: MergedPr, bypass: EmergencyInForce): string {
  return [
    postReviewMarker(pr),
    `#${pr.number} was merged on ${new Date(pr.mergedAt).toISOString()} with an emergency bypass by @${bypass.by} in force.`,
    '',
    `> ${bypass.justification.replace(/\r?\n/g, ' ')}`,
    '',
    'The seed\'s emergency process ends with a review of what was skipped. Tick each item, then close this issue.',
    '',
    '### Post-action review',
    `- [ ] The change in #${pr.number} was reviewed after the fact by someone who would have approved it`,
    '- [ ] Root cause of the emergency identified',
    '- [ ] Follow-up fixes opened for anything the review found',
    '',
    '### Documentation',
    '- [ ] The incident and the bypassed checkpoints are documented (runbook, changelog or incident record)',
    '- [ ] Monitoring confirms the fix holds in production',
    '',
    '### Lessons learned',
    '- [ ] What would have let this go through the normal gate in time',
    '- [ ] Changes to process, tests or alerts agreed and tracked',
  ].join('\n');
}

async function findExisting(github: GitHubClient, pr: MergedPr): Promise<number | undefined> {
  const issues = await issuesLabelled(github, pr, POST_REVIEW_LABEL);
  return issues.find((issue) => issue.body?.includes(postReviewMarker(pr)))?.number;
}

async function openIssue(github: GitHubClient, pr: MergedPr, bypass: EmergencyInForce): Promise<number> {
  const issue = { title: postReviewTitle(pr), body: postReviewBody(pr, bypass), labels: [POST_REVIEW_LABEL] };
  try {
    return (await createIssue(github, pr, { ...issue, assignees: [bypass.by] })).number;
  } catch (error) {
    // 422: the bypasser cannot be assigned here (e.g. no longer a collaborator); the body still mentions them.
    if ((error as { status?: number }).status !== 422) throw error;
    return (await createIssue(github, pr, issue)).number;
  }
}

export type PostReviewOutcome = { state: 'opened'; issue: number } | { state: 'exists'; issue?: number } | { state: 'not-bypassed' };

/** For `pull_request.closed` with `merged: true` (when `bypass.emergency.post_review` is on). */
export async function openPostReview(deps: BypassDeps & { github: GitHubClient }, pr: MergedPr): Promise<PostReviewOutcome> {
  // Entries are written after their decision took effect: read up to now, judge by the decision's time.
  const entries = await deps.audit.query({ repo: fullName(pr), since: pr.createdAt, until: deps.now() });
  const bypass = emergencyAtMerge(entries, pr);
  if (!bypass) return { state: 'not-bypassed' };
  const key = `post-review:${prKey(pr)}`;
  if (!(await deps.once.claim(key))) return { state: 'exists' };
  let issue: number;
  try {
    const existing = await findExisting(deps.github, pr);
    if (existing !== undefined) return { state: 'exists', issue: existing };
    issue = await openIssue(deps.github, pr, bypass);
  } catch (error) {
    await deps.once.release(key);
    throw error;
  }
  await deps.audit.record({
    ...entryBase(pr, deps.now()),
    actor: 'hitl',
    action: 'post_review_opened',
    reason: `emergency bypass by @${bypass.by}`,
    details: { issue, bypassedBy: bypass.by },
  });
  return { state: 'opened', issue };
}
