/**
 * The webhook driver: turns GitHub's own example payloads (@octokit/webhooks-examples) into
 * deliveries for a given installation, repository, pull request, head SHA and sender, signs them
 * like GitHub (HMAC-SHA256 in `X-Hub-Signature-256`) and POSTs them to an app on loopback with
 * bounded concurrency, timing each delivery.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { systemClock, type Clock } from '../util/clock.js';
import { isoSeconds } from './state.js';
import { stableId, userObject } from './users.js';

/** A repository of an installation. */
export interface RepoTarget {
  installationId: number;
  owner: string;
  repo: string;
}

export interface PullTarget extends RepoTarget {
  number: number;
  headSha: string;
  author: string;
  headRef?: string;
  baseRef?: string;
  baseSha?: string;
  title?: string;
  /** The description (criteria ticks, `Emergency:` lines); the example's when absent. */
  body?: string;
  labels?: string[];
  draft?: boolean;
  /** Size as the payload reports it (apps may trust it instead of listing files). */
  changedFiles?: number;
  additions?: number;
  deletions?: number;
}

export type WebhookScenario =
  | { event: 'pull_request.opened'; pr: PullTarget; sender?: string }
  | { event: 'pull_request.synchronize'; pr: PullTarget; before: string; sender?: string }
  | { event: 'pull_request_review.submitted'; pr: PullTarget; reviewer: string; state: 'approved' | 'changes_requested' | 'commented'; body?: string; reviewId?: number }
  | { event: 'issue_comment.created'; pr: PullTarget; commenter: string; body: string; commentId?: number }
  | { event: 'pull_request.closed'; pr: PullTarget; merged: { by: string; commitSha: string } | null; sender: string }
  | { event: 'deployment_protection_rule.requested'; repo: RepoTarget; environment: string; sha: string; ref: string; runId: number; deploymentId: number; sender: string };

export interface Delivery {
  id: string;
  /** The `X-GitHub-Event` header: `pull_request`, `pull_request_review`, `issue_comment`. */
  name: string;
  payload: Record<string, unknown>;
  /** The exact bytes sent and signed. */
  body: string;
}

export interface DeliveryResult {
  id: string;
  name: string;
  action: string;
  /** 0 when the request failed before any answer. */
  status: number;
  latencyMs: number;
  error?: string;
}

export interface DriveSummary {
  results: DeliveryResult[];
  sent: number;
  /** 2xx answers. */
  accepted: number;
  failed: number;
  byStatus: Record<string, number>;
  wallMs: number;
}

/** Example payloads are free-form JSON that this module reshapes field by field. */
type Payload = Record<string, any>;
interface ExampleGroup {
  name: string;
  examples: Payload[];
}

/** The example repository every payload in the collection uses. */
const EXAMPLE_FULL_NAME = 'Codertocat/Hello-World';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
let examples: ExampleGroup[] | undefined;

function example(name: string, action: string): Payload {
  examples ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples'), 'utf8')) as ExampleGroup[];
  // Prefer an example that carries `installation`, as app deliveries do.
  const candidates = examples.find((group) => group.name === name)?.examples.filter((payload) => payload.action === action) ?? [];
  const chosen = candidates.find((payload) => payload.installation) ?? candidates[0];
  if (!chosen) throw new Error(`@octokit/webhooks-examples has no ${name}.${action} example`);
  return chosen;
}

/** Clones an example with every URL moved from the example repository to the target one. */
function retarget(payload: Payload, target: RepoTarget): Payload {
  const fullName = JSON.stringify(`${target.owner}/${target.repo}`).slice(1, -1);
  return JSON.parse(JSON.stringify(payload).replaceAll(EXAMPLE_FULL_NAME, fullName)) as Payload;
}

function repositoryFields(target: RepoTarget) {
  return {
    id: stableId(`repo:${target.owner}/${target.repo}`),
    name: target.repo,
    full_name: `${target.owner}/${target.repo}`,
    owner: userObject(target.owner, 'Organization'),
    html_url: `https://github.com/${target.owner}/${target.repo}`,
    url: `https://api.github.com/repos/${target.owner}/${target.repo}`,
    private: true,
  };
}

function labelFields(target: RepoTarget, name: string) {
  const id = stableId(`label:${target.owner}/${target.repo}:${name.toLowerCase()}`);
  return { id, node_id: Buffer.from(`Label${id}`).toString('base64'), url: `https://api.github.com/repos/${target.owner}/${target.repo}/labels/${encodeURIComponent(name)}`, name, color: 'ededed', default: false, description: null };
}

/**
 * `deployment_protection_rule` (requested). @octokit/webhooks-examples has no example of it, so it
 * is GitHub's documented payload (action, environment, event, deployment_callback_url naming the
 * waiting workflow run, deployment, pull_requests, repository, installation, sender) around the
 * real `deployment` (created) example's deployment.
 */
function deploymentProtectionRule(scenario: Extract<WebhookScenario, { event: 'deployment_protection_rule.requested' }>, now: string): Payload {
  const { repo: target } = scenario;
  const deployment = retarget(example('deployment', 'created'), target);
  const api = `https://api.github.com/repos/${target.owner}/${target.repo}`;
  return {
    action: 'requested',
    environment: scenario.environment,
    event: 'push',
    deployment_callback_url: `${api}/actions/runs/${scenario.runId}/deployment_protection_rule`,
    deployment: {
      ...deployment.deployment,
      id: scenario.deploymentId,
      url: `${api}/deployments/${scenario.deploymentId}`,
      sha: scenario.sha,
      ref: scenario.ref,
      environment: scenario.environment,
      original_environment: scenario.environment,
      creator: userObject(scenario.sender),
      created_at: now,
      updated_at: now,
    },
    pull_requests: [],
    repository: { ...deployment.repository, ...repositoryFields(target) },
    installation: { id: target.installationId, node_id: Buffer.from(`Installation${target.installationId}`).toString('base64') },
    sender: userObject(scenario.sender),
  };
}

function pullFields(example: Payload, repository: Payload, pr: PullTarget): Payload {
  const api = `https://api.github.com/repos/${pr.owner}/${pr.repo}`;
  const web = `https://github.com/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  const branch = (ref: string, sha: string) => ({ ...example.head, label: `${pr.owner}:${ref}`, ref, sha, user: repository.owner, repo: repository });
  return {
    ...example,
    id: stableId(`pr:${pr.owner}/${pr.repo}#${pr.number}`),
    number: pr.number,
    url: `${api}/pulls/${pr.number}`,
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    title: pr.title ?? example.title,
    body: pr.body ?? example.body,
    user: userObject(pr.author),
    state: 'open',
    draft: pr.draft ?? false,
    merged: false,
    labels: (pr.labels ?? []).map((name) => labelFields(pr, name)),
    requested_reviewers: [],
    requested_teams: [],
    head: branch(pr.headRef ?? `feature-${pr.number}`, pr.headSha),
    base: branch(pr.baseRef ?? 'main', pr.baseSha ?? example.base.sha),
    ...(pr.changedFiles !== undefined ? { changed_files: pr.changedFiles } : {}),
    ...(pr.additions !== undefined ? { additions: pr.additions } : {}),
    ...(pr.deletions !== undefined ? { deletions: pr.deletions } : {}),
  };
}

/** Builds the payload GitHub would send for a scenario, from the matching real example. */
export function buildPayload(scenario: WebhookScenario, clock: Clock = systemClock): { name: string; payload: Payload } {
  const [name, action] = scenario.event.split('.') as [string, string];
  const now = isoSeconds(clock());
  if (scenario.event === 'deployment_protection_rule.requested') return { name, payload: deploymentProtectionRule(scenario, now) };
  const { pr } = scenario;
  const base = retarget(example(name, action), pr);
  const repository = { ...base.repository, ...repositoryFields(pr) };
  const payload: Payload = { ...base, action, repository, installation: { id: pr.installationId, node_id: Buffer.from(`Installation${pr.installationId}`).toString('base64') } };
  const api = `https://api.github.com/repos/${pr.owner}/${pr.repo}`;
  // issue_comment examples carry no pull request: borrow the fields from an opened one.
  const pullRequest = pullFields(base.pull_request ?? retarget(example('pull_request', 'opened'), pr).pull_request, repository, pr);
  switch (scenario.event) {
    case 'pull_request.opened':
      return { name, payload: { ...payload, number: pr.number, pull_request: { ...pullRequest, created_at: now, updated_at: now }, sender: userObject(scenario.sender ?? pr.author) } };
    case 'pull_request.closed': {
      const { merged } = scenario;
      const closed = { ...pullRequest, state: 'closed', closed_at: now, updated_at: now, merged: merged !== null, merged_at: merged ? now : null, merged_by: merged ? userObject(merged.by) : null, merge_commit_sha: merged?.commitSha ?? null };
      return { name, payload: { ...payload, number: pr.number, pull_request: closed, sender: userObject(scenario.sender) } };
    }
    case 'pull_request.synchronize':
      return { name, payload: { ...payload, number: pr.number, before: scenario.before, after: pr.headSha, pull_request: { ...pullRequest, updated_at: now }, sender: userObject(scenario.sender ?? pr.author) } };
    case 'pull_request_review.submitted': {
      const id = scenario.reviewId ?? stableId(`review:${randomUUID()}`);
      const review = {
        ...base.review,
        id,
        user: userObject(scenario.reviewer),
        body: scenario.body ?? null,
        state: scenario.state,
        commit_id: pr.headSha,
        submitted_at: now,
        html_url: `${pullRequest.html_url}#pullrequestreview-${id}`,
        pull_request_url: pullRequest.url,
      };
      return { name, payload: { ...payload, review, pull_request: pullRequest, sender: userObject(scenario.reviewer) } };
    }
    case 'issue_comment.created': {
      const id = scenario.commentId ?? stableId(`comment:${randomUUID()}`);
      const issue = {
        ...base.issue,
        id: pullRequest.id,
        number: pr.number,
        title: pullRequest.title,
        user: pullRequest.user,
        state: 'open',
        labels: [],
        url: `${api}/issues/${pr.number}`,
        html_url: pullRequest.html_url,
        pull_request: { url: pullRequest.url, html_url: pullRequest.html_url, diff_url: pullRequest.diff_url, patch_url: pullRequest.patch_url, merged_at: null },
      };
      const comment = {
        ...base.comment,
        id,
        body: scenario.body,
        user: userObject(scenario.commenter),
        created_at: now,
        updated_at: now,
        url: `${api}/issues/comments/${id}`,
        html_url: `${pullRequest.html_url}#issuecomment-${id}`,
        issue_url: issue.url,
      };
      return { name, payload: { ...payload, issue, comment, sender: userObject(scenario.commenter) } };
    }
  }
}

/** A delivery with a fresh id, or the given one (GitHub keeps the id when it redelivers). */
export function buildDelivery(scenario: WebhookScenario, options: { id?: string; clock?: Clock } = {}): Delivery {
  const { name, payload } = buildPayload(scenario, options.clock);
  return { id: options.id ?? randomUUID(), name, payload, body: JSON.stringify(payload) };
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DriverOptions {
  /** The app's origin on loopback, e.g. `http://127.0.0.1:3000`. */
  appUrl: string;
  secret: string;
  /** Probot's default. */
  path?: string;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
}

export class WebhookDriver {
  private readonly target: URL;
  private readonly agent: Agent;
  private readonly concurrency: number;

  constructor(private readonly options: DriverOptions) {
    this.target = new URL(options.path ?? '/api/github/webhooks', options.appUrl);
    if (this.target.protocol !== 'http:' || !LOOPBACK.has(this.target.hostname)) {
      throw new Error(`webhook driver: only http on loopback is allowed, got ${this.target.origin}`);
    }
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
    this.agent = new Agent({ keepAlive: true, maxSockets: this.concurrency });
  }

  /** POSTs one delivery; `signature` overrides the computed one (to test rejection). */
  send(delivery: Delivery, signature = signBody(this.options.secret, delivery.body)): Promise<DeliveryResult> {
    const started = performance.now();
    const done = (status: number, error?: string): DeliveryResult => ({
      id: delivery.id,
      name: delivery.name,
      action: String(delivery.payload.action ?? ''),
      status,
      latencyMs: performance.now() - started,
      ...(error ? { error } : {}),
    });
    return new Promise((resolve) => {
      const outgoing = request(
        this.target,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'GitHub-Hookshot/stand-in',
            'x-github-event': delivery.name,
            'x-github-delivery': delivery.id,
            'x-hub-signature-256': signature,
            'x-github-hook-installation-target-type': 'integration',
            'content-length': Buffer.byteLength(delivery.body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(done(response.statusCode ?? 0)));
          response.on('error', (error) => resolve(done(response.statusCode ?? 0, error.message)));
        },
      );
      outgoing.on('error', (error) => resolve(done(0, error.message)));
      outgoing.end(delivery.body);
    });
  }

  /** Sends every delivery, at most `concurrency` at a time, in order of the list. */
  async sendAll(deliveries: readonly Delivery[]): Promise<DriveSummary> {
    const started = performance.now();
    const results: DeliveryResult[] = new Array(deliveries.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < deliveries.length) {
        const index = next++;
        results[index] = await this.send(deliveries[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, deliveries.length) }, worker));
    const byStatus: Record<string, number> = {};
    for (const result of results) byStatus[result.status] = (byStatus[result.status] ?? 0) + 1;
    const accepted = results.filter((result) => result.status >= 200 && result.status < 300).length;
    return { results, sent: results.length, accepted, failed: results.length - accepted, byStatus, wallMs: performance.now() - started };
  }

  close(): void {
    this.agent.destroy();
  }
}
