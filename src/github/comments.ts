/** Comments and reactions on issues and pull requests. */
import { repoOf, type RepoRef } from './address.js';
import type { GitHubClient } from './client.js';

export async function react(gh: GitHubClient, at: RepoRef, commentId: number, content: '+1' | 'confused'): Promise<void> {
  await gh.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', { ...repoOf(at), comment_id: commentId, content });
}

/** Posts a comment; returns its id. */
export async function comment(gh: GitHubClient, at: RepoRef, number: number, body: string): Promise<number> {
  const { data } = await gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repoOf(at), issue_number: number, body });
  return Number(data.id);
}

export async function updateComment(gh: GitHubClient, at: RepoRef, commentId: number, body: string): Promise<void> {
  await gh.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repoOf(at), comment_id: commentId, body });
}
