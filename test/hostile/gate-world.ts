/**
 * A scripted GitHub for the gate-integrity property: the stand-in keeps the state (comments,
 * reviews, heads, labels, bases, check runs) and every webhook is built from that state on top of
 * GitHub's own example payloads, signed and sent through the real app's HTTP middleware.
 *
 * The people: alice opens every pull request; carol and dave are the only approvers of peer
 * review; olivia alone may bypass (she never acts here). Everyone else has no say: mallory (write,
 * no role), reader (read), triager (triage), renovate[bot]. A model (`GateModel`) tracks what the
 * product allows, so the property can ask after every event whether a green `hitl` is deserved.
 */
import type { Fleet } from '../../src/bench/harness.js';
import { headSha } from '../../src/bench/harness.js';
import { pullObject } from '../../src/stand-in/render.js';
import type { Comment, Issue, Permission, Pull } from '../../src/stand-in/state.js';
import { userObject } from '../../src/stand-in/users.js';
import { buildPayload, signBody, type Delivery, type PullTarget, type WebhookScenario } from '../../src/stand-in/webhooks.js';

export const OWNER = 'org-1';
export const REPO = 'repo';
export const AUTHOR = 'alice';
export const APPROVERS = ['carol', 'dave'] as const;
export const EMERGENCY_LABEL = 'emergency';
export const PEOPLE: Record<string, Permission> = {
  alice: 'write', carol: 'write', dave: 'write', olivia: 'maintain', mallory: 'write', reader: 'read', triager: 'triage',
};
export const BOT = 'renovate[bot]';
/** Every base a pull request may target here carries the same policy, except the one below. */
export const BASES = ['main', 'release', 'scratch'] as const;
/** A branch whose own .hitl.yml declares it a test environment: a PR into it passes by itself. */
export const TEST_BRANCH = 'sandbox';
export const TEST_BRANCH_CONFIG = `bypass:\n  test_environments: { branches: ["${TEST_BRANCH}"] }\n`;
/** Every PR says why it may bypass; only olivia's emergency label makes that count. */
export const BODY = 'Emergency: production is down, INC-4312';
export const CONFIG = `
roles:
  reviewers: ["carol", "dave"]
  oncall: ["olivia"]
approval_workflows:
  peer_review: { approver: reviewers, dismiss_stale_approvals: true }
bypass:
  emergency: { label: ${EMERGENCY_LABEL}, allowed: [oncall] }
`;
/** 120 lines under src/: peer review. */
export const CODE_CHANGE = [{ filename: 'src/gate.ts', additions: 100, deletions: 20 }];
/** Documentation only: automatic, no human needed. */
export const DOCS_CHANGE = [{ filename: 'docs/notes.md', additions: 3, deletions: 0 }];

/**
 * What the product allows (product.md §4 and §6), kept beside the events: an approval counts when
 * an approver who is neither the author nor a pusher of the PR gave it on the current head; an
 * accepted /reject or /hold stands until its maker or another approver (not the author) lifts it.
 */
export class GateModel {
  head: string;
  readonly pushers = new Set<string>();
  /** Approver → the head their standing approval is for. */
  private readonly approvals = new Map<string, string>();
  private rejectedBy = new Set<string>();
  private heldBy = new Set<string>();
  /** The emergency label is on and was last added by someone allowed to bypass. */
  private labelBypass = false;

  constructor(head: string) {
    this.head = head;
  }

  private isApprover = (login: string) => (APPROVERS as readonly string[]).includes(login);
  private mayHold = (login: string) => PEOPLE[login] === 'write' || PEOPLE[login] === 'maintain' || PEOPLE[login] === 'admin';
  /** Who may lift another person's decision: the maker, or an approver who is not the author. */
  private mayLift = (login: string, maker: string) => login === maker || (this.isApprover(login) && login !== AUTHOR);

  pushed(by: string, sha: string): void {
    this.head = sha;
    this.pushers.add(by);
  }

  approved(by: string, sha = this.head): void {
    if (!this.isApprover(by)) return;
    this.approvals.set(by, sha);
    this.rejectedBy = new Set([...this.rejectedBy].filter((maker) => !this.mayLift(by, maker)));
  }

  withdrew(by: string): void {
    this.approvals.delete(by);
  }

  rejected(by: string): void {
    if (!this.isApprover(by)) return;
    this.approvals.delete(by);
    this.rejectedBy.add(by);
  }

  held(by: string): void {
    if (this.mayHold(by)) this.heldBy.add(by);
  }

  unheld(by: string): void {
    this.heldBy = new Set([...this.heldBy].filter((maker) => !this.mayLift(by, maker)));
  }

  emergencyLabel(by: string, added: boolean): void {
    this.labelBypass = added && by === 'olivia';
  }

  /** Whether a green `hitl` on the current head is deserved, judged by the policy of the default branch. */
  mayPass(): boolean {
    if (this.heldBy.size > 0) return false;
    if (this.labelBypass) return true;
    if (this.rejectedBy.size > 0) return false;
    return [...this.approvals].some(([by, sha]) => sha === this.head && by !== AUTHOR && !this.pushers.has(by));
  }
}

/** The repository, people and config every sequence shares; each sequence opens its own pull request. */
export function seedWorld(fleet: Fleet): void {
  const { state } = fleet.standIn;
  for (const base of BASES) {
    if (base !== 'main') state.setBranch(OWNER, REPO, base, headSha(`base-${base}`));
    state.putFile(OWNER, REPO, '.hitl.yml', CONFIG, base);
  }
  state.setBranch(OWNER, REPO, TEST_BRANCH, headSha(`base-${TEST_BRANCH}`));
  state.putFile(OWNER, REPO, '.hitl.yml', TEST_BRANCH_CONFIG, TEST_BRANCH);
  for (const [login, permission] of Object.entries(PEOPLE)) state.setPermission(OWNER, REPO, login, permission);
}

/** One pull request's life on the stand-in, with the deliveries sent for it (to redeliver). */
export class PullWorld {
  readonly model: GateModel;
  readonly sent: Delivery[] = [];
  private pushes = 0;
  private deliveries = 0;

  constructor(private readonly fleet: Fleet, readonly number: number, private readonly tick: () => void) {
    this.model = new GateModel(headSha(`pr${number}-0`));
  }

  private get state() {
    return this.fleet.standIn.state;
  }

  issue(number = this.number): Issue & { pull: Pull } {
    return this.state.issue(OWNER, REPO, number) as Issue & { pull: Pull };
  }

  private target(number = this.number): PullTarget {
    const issue = this.issue(number);
    return { installationId: 1, owner: OWNER, repo: REPO, number, headSha: issue.pull.head.sha, author: issue.user, headRef: issue.pull.head.ref, baseRef: issue.pull.base.ref };
  }

  /** The pull request exactly as the stand-in's REST API would render it now. */
  private pullPayload(number = this.number) {
    const repo = this.state.repo(OWNER, REPO);
    return pullObject(repo, this.issue(number), (slug) => this.state.findTeam(OWNER, slug));
  }

  private async send(scenario: WebhookScenario, reshape: (payload: Record<string, any>) => void): Promise<void> {
    const { name, payload } = buildPayload(scenario, this.state.clock);
    reshape(payload);
    const body = JSON.stringify(payload);
    const delivery = { id: `gate-property-${this.number}-${++this.deliveries}`, name, payload, body };
    this.sent.push(delivery);
    await this.deliver(delivery);
  }

  async deliver(delivery: Delivery): Promise<void> {
    const result = await this.fleet.drivers[0]!.send(delivery, signBody('hitl-bench-secret', delivery.body));
    if (result.status !== 200) throw new Error(`delivery ${delivery.name}.${String(delivery.payload.action)} answered ${result.status}`);
  }

  private pullEvent(action: string, sender: string, extra: Record<string, unknown> = {}, number = this.number): Promise<void> {
    return this.send({ event: 'pull_request.opened', pr: this.target(number) }, (payload) => {
      Object.assign(payload, { action, number, pull_request: this.pullPayload(number), sender: userObject(sender) }, extra);
    });
  }

  async open(files = CODE_CHANGE, number = this.number, head = { ref: `feature-${this.number}`, sha: this.model.head }, base = 'main', author = AUTHOR): Promise<void> {
    this.tick();
    this.state.addPullRequest(OWNER, REPO, { number, author, head, base: { ref: base }, files, body: BODY });
    await this.pullEvent('opened', author, {}, number);
  }

  async comment(by: string, body: string): Promise<void> {
    this.tick();
    const comment = this.state.addComment(OWNER, REPO, this.number, by, body);
    await this.send({ event: 'issue_comment.created', pr: this.target(), commenter: by, body, commentId: comment.id }, (payload) => {
      payload.comment.created_at = payload.comment.updated_at = comment.created_at;
    });
  }

  /** Someone with write access edits an existing comment (GitHub sends `edited`, which HITL does not act on). */
  editComment(pick: number, body: string, mayTouch: (comment: Comment) => boolean): void {
    this.tick();
    const comments = this.issue().comments.filter(mayTouch);
    const comment = comments[pick % Math.max(1, comments.length)];
    if (!comment) return;
    comment.body = body;
    comment.updated_at = this.state.timestamp();
  }

  deleteComment(pick: number, mayTouch: (comment: Comment) => boolean): void {
    this.tick();
    const issue = this.issue();
    const comments = issue.comments.filter(mayTouch);
    const comment = comments[pick % Math.max(1, comments.length)];
    if (comment) issue.comments = issue.comments.filter((c) => c !== comment);
  }

  async review(by: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'): Promise<void> {
    this.tick();
    const review = this.state.addReview(OWNER, REPO, this.number, { user: by, state });
    const scenarioState = state === 'APPROVED' ? 'approved' : state === 'CHANGES_REQUESTED' ? 'changes_requested' : 'commented';
    await this.send({ event: 'pull_request_review.submitted', pr: this.target(), reviewer: by, state: scenarioState, reviewId: review.id }, (payload) => {
      payload.pull_request = this.pullPayload();
      payload.review.commit_id = review.commit_id;
      payload.review.submitted_at = review.submitted_at;
    });
  }

  async push(by: string): Promise<void> {
    this.tick();
    const before = this.issue().pull.head.sha;
    const after = headSha(`pr${this.number}-${++this.pushes}`);
    // New code: every file's patch changes, so approvals of the older head no longer count (a rebase would keep them).
    const files = this.issue().pull.files.map((f) => ({ ...f, patch: `@@ -1,1 +1,1 @@\n+push ${this.pushes} by ${by}` }));
    this.state.pushToPull(OWNER, REPO, this.number, after, files, by);
    this.issue().updated_at = this.state.timestamp();
    this.model.pushed(by, after);
    await this.pullEvent('synchronize', by, { before, after });
  }

  /** Adds or removes a label as `by`; false when there was nothing to do. */
  async label(by: string, name: string, add: boolean): Promise<boolean> {
    this.tick();
    const issue = this.issue();
    const present = issue.labels.some((l) => l.toLowerCase() === name.toLowerCase());
    if (present === add) return false;
    const label = this.state.ensureLabel(this.state.repo(OWNER, REPO), name);
    issue.labels = add ? [...issue.labels, label.name] : issue.labels.filter((l) => l.toLowerCase() !== name.toLowerCase());
    this.state.recordEvent(issue, by, add ? 'labeled' : 'unlabeled', { label: { name: label.name, color: label.color } });
    await this.pullEvent(add ? 'labeled' : 'unlabeled', by, { label: { id: label.id, name: label.name, color: label.color, default: false, description: null } });
    return true;
  }

  async retarget(by: string, base: string): Promise<void> {
    this.tick();
    const pull = this.issue().pull;
    if (pull.base.ref === base) return;
    const from = { ...pull.base };
    pull.base = { ref: base, sha: this.state.repo(OWNER, REPO).branches.get(base)! };
    this.issue().updated_at = this.state.timestamp();
    await this.pullEvent('edited', by, { changes: { base: { ref: { from: from.ref }, sha: { from: from.sha } } } });
  }

  /** A second pull request whose head is this one's current head commit, from another branch. */
  async openSibling(number: number, base: string, files: typeof DOCS_CHANGE): Promise<void> {
    await this.open(files, number, { ref: `sibling-${number}`, sha: this.issue().pull.head.sha }, base, 'mallory');
  }

  /** GitHub redelivers with the same delivery id; `freshId` replays the old payload under a new one. */
  async redeliver(pick: number, freshId: boolean): Promise<void> {
    const old = this.sent[pick % Math.max(1, this.sent.length)];
    if (!old) return;
    this.tick();
    await this.deliver(freshId ? { ...old, id: `${old.id}-replayed-${++this.deliveries}` } : old);
  }

  /** Whether branch protection would take our latest `hitl` run on the current head as passed, and its title. */
  hitlOnHead(): { passed: boolean; title: string | null } | undefined {
    const runs = this.state.checkRuns(OWNER, REPO, { headSha: this.issue().pull.head.sha, name: 'hitl' });
    const last = runs[runs.length - 1];
    return last && { passed: last.status === 'completed' && last.conclusion === 'success', title: last.output.title };
  }
}
