/**
 * The few GitHub calls escalation makes, over any Octokit (Probot's or @octokit/rest), through
 * `request` so the adapter does not depend on one Octokit flavour's typings.
 */
export interface OctokitLike {
  request(route: string, params?: Record<string, unknown>): Promise<{ data: unknown }>;
}

/** Obtains the Octokit of an installation (in the app: `(id) => app.auth(id)`). */
export type OctokitFor = (installationId: number) => Promise<OctokitLike>;

export class EscalationGitHub {
  constructor(
    private readonly octokit: OctokitLike,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  private call(route: string, params: Record<string, unknown> = {}): Promise<{ data: unknown }> {
    return this.octokit.request(route, { owner: this.owner, repo: this.repo, ...params });
  }

  async requestReviewers(pull: number, reviewers: string[], teamReviewers: string[]): Promise<void> {
    if (reviewers.length + teamReviewers.length === 0) return;
    await this.call('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
      pull_number: pull,
      reviewers,
      team_reviewers: teamReviewers,
    });
  }

  async teamMembers(org: string, slug: string): Promise<string[]> {
    const { data } = await this.octokit.request('GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: slug, per_page: 100 });
    return (data as Array<{ login: string }>).map((member) => member.login);
  }

  async comment(issue: number, body: string): Promise<number> {
    const { data } = await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: issue, body });
    return (data as { id: number }).id;
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.call('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { comment_id: commentId, body });
  }

  async assign(issue: number, assignees: string[]): Promise<void> {
    if (assignees.length === 0) return;
    await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', { issue_number: issue, assignees });
  }

  async addLabel(issue: number, label: string): Promise<void> {
    await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { issue_number: issue, labels: [label] });
  }

  async openIssue(title: string, body: string, labels: string[]): Promise<number> {
    const { data } = await this.call('POST /repos/{owner}/{repo}/issues', { title, body, labels });
    return (data as { number: number }).number;
  }

  async updateIssue(issue: number, change: { body?: string; state?: 'open' | 'closed' }): Promise<void> {
    await this.call('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { issue_number: issue, ...change });
  }

  async rerunFailedJobs(runId: number): Promise<void> {
    await this.call('POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', { run_id: runId });
  }
}
