/** A `repository_dispatch` HITL sends: the answer to an automation waiting for a decision. */
import { repoOf, type RepoRef } from './address.js';
import type { GitHubClient } from './client.js';

export async function dispatch(gh: GitHubClient, at: RepoRef, eventType: string, clientPayload: Record<string, unknown>): Promise<void> {
  await gh.rest.repos.createDispatchEvent({ ...repoOf(at), event_type: eventType, client_payload: clientPayload });
}
