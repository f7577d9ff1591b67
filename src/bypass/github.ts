/** The thin GitHub side of bypasses: the client type and the few writes every module shares. */
import type { ProbotOctokit } from 'probot';
import type { AuditReader, AuditSink } from '../audit/types.js';
import type { Clock } from '../util/clock.js';
import type { OnceMarkers } from './once.js';

/** An installation client, as Probot hands it to a handler (`context.octokit`). */
export type GitHub = InstanceType<typeof ProbotOctokit>;

export interface PrRef {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
}

export const fullName = (pr: Pick<PrRef, 'owner' | 'repo'>) => `${pr.owner}/${pr.repo}`;

export async function comment(github: GitHub, pr: PrRef, body: string): Promise<void> {
  await github.rest.issues.createComment({ owner: pr.owner, repo: pr.repo, issue_number: pr.number, body });
}

/** What every bypass entry point needs besides GitHub: the audit log, once-markers and the clock. */
export interface BypassDeps {
  audit: AuditSink & AuditReader;
  once: OnceMarkers;
  now: Clock;
}
