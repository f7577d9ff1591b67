/** The answer to a custom deployment protection rule: approve or reject one environment of a workflow run. */
import { repoOf, type RepoRef } from './address.js';
import type { GitHubClient } from './client.js';

export async function reviewDeployment(gh: GitHubClient, at: RepoRef, runId: number, environment: string, state: 'approved' | 'rejected', comment: string): Promise<void> {
  await gh.rest.actions.reviewCustomGatesForRun({ ...repoOf(at), run_id: runId, environment_name: environment, state, comment });
}
