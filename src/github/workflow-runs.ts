/** Workflow runs: level 1 of a failing build re-runs its failed jobs once. */
import { repoOf, type RepoRef } from './address.js';
import type { GitHubClient } from './client.js';

export async function rerunFailedJobs(gh: GitHubClient, at: RepoRef, runId: number): Promise<void> {
  await gh.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', { ...repoOf(at), run_id: runId });
}
