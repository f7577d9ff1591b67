/**
 * What the demo's people do on GitHub: each action changes the stand-in's state as GitHub would
 * and delivers the webhook GitHub would send, signed, to the app. A delivery the app does not
 * accept (not 2xx) throws: the story reports it as what went wrong.
 */
import { blobSha } from '../stand-in/state.js';
import type { StandIn } from '../stand-in/index.js';
import { buildDelivery, type PullTarget, type RepoTarget, type WebhookDriver, type WebhookScenario } from '../stand-in/webhooks.js';

export interface PullSeed {
  author: string;
  title: string;
  body: string;
  branch: string;
  files: Array<{ filename: string; additions: number; deletions: number }>;
}

export class DemoGitHub {
  constructor(
    private readonly standIn: StandIn,
    private readonly driver: WebhookDriver,
    readonly repo: RepoTarget,
  ) {}

  private get state() {
    return this.standIn.state;
  }

  /** The pull request as a webhook payload shows it, from the stand-in's state. */
  pull(number: number): PullTarget {
    const issue = this.state.issue(this.repo.owner, this.repo.repo, number);
    const pull = this.state.pull(this.repo.owner, this.repo.repo, number);
    return {
      ...this.repo,
      number,
      author: issue.user,
      title: issue.title,
      body: issue.body ?? '',
      labels: issue.labels,
      headSha: pull.head.sha,
      headRef: pull.head.ref,
      baseRef: pull.base.ref,
      baseSha: pull.base.sha,
      draft: pull.draft,
      changedFiles: pull.files.length,
      additions: pull.files.reduce((sum, file) => sum + file.additions, 0),
      deletions: pull.files.reduce((sum, file) => sum + file.deletions, 0),
    };
  }

  async openPull(seed: PullSeed): Promise<number> {
    const issue = this.state.addPullRequest(this.repo.owner, this.repo.repo, {
      author: seed.author,
      title: seed.title,
      body: seed.body,
      head: { ref: seed.branch, sha: blobSha(`head of ${seed.branch}`) },
      files: seed.files,
    });
    await this.deliver({ event: 'pull_request.opened', pr: this.pull(issue.number) });
    return issue.number;
  }

  async approve(number: number, reviewer: string): Promise<void> {
    const review = this.state.addReview(this.repo.owner, this.repo.repo, number, { user: reviewer, state: 'APPROVED' });
    await this.deliver({ event: 'pull_request_review.submitted', pr: this.pull(number), reviewer, state: 'approved', reviewId: review.id });
  }

  /** Returns the comment's id. */
  async comment(number: number, commenter: string, body: string): Promise<number> {
    const comment = this.state.addComment(this.repo.owner, this.repo.repo, number, commenter, body);
    await this.deliver({ event: 'issue_comment.created', pr: this.pull(number), commenter, body, commentId: comment.id });
    return comment.id;
  }

  /** Merges with a merge commit, whatever the checks say (as an admin can); returns the merge commit. */
  async merge(number: number, by: string): Promise<string> {
    const pr = this.pull(number);
    const commitSha = this.state.mergePull(this.repo.owner, this.repo.repo, number, by);
    await this.deliver({ event: 'pull_request.closed', pr, merged: { by, commitSha }, sender: by });
    return commitSha;
  }

  /** A workflow job asks to deploy `sha` of the default branch to `environment`; returns the waiting run's id. */
  async deploy(environment: string, sha: string, by: string): Promise<number> {
    const runId = this.state.newId();
    const ref = this.state.repo(this.repo.owner, this.repo.repo).defaultBranch;
    await this.deliver({ event: 'deployment_protection_rule.requested', repo: this.repo, environment, sha, ref, runId, deploymentId: this.state.newId(), sender: by });
    return runId;
  }

  private async deliver(scenario: WebhookScenario): Promise<void> {
    const result = await this.driver.send(buildDelivery(scenario));
    if (result.status < 200 || result.status >= 300) {
      throw new Error(`the app answered ${scenario.event} with ${result.status === 0 ? `no answer (${result.error ?? 'connection failed'})` : `HTTP ${result.status}`}`);
    }
  }
}
