/** Issues: a pull request's label history, and the issues HITL opens, finds, updates and assigns. */
import { repoOf, type RepoRef } from './address.js';
import type { IssueEvent } from '../policy/emergency.js';
import type { GitHubClient } from './client.js';


/** Every event of an issue or pull request (all pages), oldest first. */
export async function issueEvents(gh: GitHubClient, at: RepoRef, number: number): Promise<IssueEvent[]> {
  return (await gh.paginate(gh.rest.issues.listEvents, { ...repoOf(at), issue_number: number, per_page: 100 })) as IssueEvent[];
}

/** Issues (open and closed) carrying `label`, with their bodies. */
export async function issuesLabelled(gh: GitHubClient, at: RepoRef, label: string): Promise<Array<{ number: number; body?: string | null }>> {
  return gh.paginate(gh.rest.issues.listForRepo, { ...repoOf(at), labels: label, state: 'all', per_page: 100 });
}

export interface NewIssue {
  title: string;
  body: string;
  labels: string[];
  assignees?: string[];
}

/** Opens an issue; returns its number and address. */
export async function createIssue(gh: GitHubClient, at: RepoRef, issue: NewIssue): Promise<{ number: number; html_url: string }> {
  const { data } = await gh.rest.issues.create({ ...repoOf(at), ...issue });
  return { number: data.number, html_url: data.html_url };
}

export interface IssueChange {
  body?: string;
  state?: 'open' | 'closed';
  state_reason?: 'completed' | 'not_planned';
}

export async function updateIssue(gh: GitHubClient, at: RepoRef, number: number, change: IssueChange): Promise<void> {
  await gh.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...repoOf(at), issue_number: number, ...change });
}

export async function assign(gh: GitHubClient, at: RepoRef, number: number, assignees: string[]): Promise<void> {
  if (assignees.length === 0) return;
  await gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', { ...repoOf(at), issue_number: number, assignees });
}
