/**
 * Maintenance windows, the GitHub side. The engine (policy/windows.ts, policy/evaluate.ts) already
 * approves the `auto_approve` items while a window is open; here each such approval is audited in
 * the window's name, the pull request is told once per opening, and one summary per opening is
 * posted when the window closes (a BullMQ delayed job whose id is fixed by repo, window and opening,
 * so any number of approvals and processes schedule it once).
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { MaintenanceWindowPolicy } from '../config/types.js';
import type { AuditEntry } from '../audit/types.js';
import { latestOpening } from '../policy/windows.js';
import type { Evaluation, Plan } from '../policy/types.js';
import { entryBase, prKey, recordOnce, type GateRef } from './audit-evaluation.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import { createIssue } from '../github/issues.js';
import type { BypassDeps } from './deps.js';

export const MAINTENANCE_QUEUE = 'hitl-maintenance';
export const SUMMARY_LABEL = 'hitl:maintenance';

export interface WindowApproval {
  window: MaintenanceWindowPolicy;
  /** Gate items the window approved on this pull request. */
  items: string[];
  openedAt: number;
  closesAt: number;
}

export interface SummaryJob {
  installationId: number;
  owner: string;
  repo: string;
  window: string;
  openedAt: number;
  closesAt: number;
}

/** Pure: the evaluation's window approvals, grouped by window, with the opening they belong to. */
export function windowApprovals(plan: Plan, evaluation: Evaluation, now: number): WindowApproval[] {
  const byWindow = new Map<string, string[]>();
  for (const { item, status } of evaluation.items) {
    if (status.state === 'bypassed' && status.bypass.kind === 'maintenance_window') {
      byWindow.set(status.bypass.window, [...(byWindow.get(status.bypass.window) ?? []), item.name]);
    }
  }
  return [...byWindow].flatMap(([name, items]) => {
    const window = plan.windows.find((w) => w.name === name);
    const opening = window && latestOpening(window, now);
    return window && opening ? [{ window, items, ...opening }] : [];
  });
}

/** BullMQ ids may not contain ":" nor be all digits. */
export function summaryJobId(job: Omit<SummaryJob, 'closesAt'>): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `window-summary-${job.installationId}-${safe(job.owner)}-${safe(job.repo)}-${safe(job.window)}-${job.openedAt}`;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const itemList = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(', ');

export function approvalComment(approval: WindowApproval): string {
  const approver = approval.window.approverRole ? ` on behalf of \`${approval.window.approverRole}\`` : '';
  return [
    `🛠️ Maintenance window \`${approval.window.name}\` is open (${utc(approval.openedAt)} to ${utc(approval.closesAt)}).`,
    `It approved ${itemList(approval.items)}${approver} (\`bypass.maintenance_windows\` in \`.hitl.yml\`).`,
    'This is in the audit log, and the window\'s summary will list this pull request when it closes.',
  ].join('\n');
}

export function summaryTitle(job: SummaryJob, count: number): string {
  return `Maintenance window ${job.window}: ${count} approval${count === 1 ? '' : 's'} (${utc(job.openedAt)} to ${utc(job.closesAt)})`;
}

export function summaryBody(job: SummaryJob, entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) => `| #${e.pr} | \`${e.checkpoint}\` | \`${(e.headSha ?? '').slice(0, 7)}\` | ${utc(e.at)} |`);
  return [
    `Maintenance window \`${job.window}\` was open from ${utc(job.openedAt)} to ${utc(job.closesAt)}.`,
    `HITL approved these gate items in its name:`,
    '',
    '| Pull request | Approved | Head | When |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Post-maintenance validation: check that each change behaves as planned, then close this issue.',
  ].join('\n');
}

/** Pure: the `auto_approved` audit entries of one approval, keyed once per item, head and opening. */
export function approvalEntries(approval: WindowApproval, gate: GateRef, now: number) {
  return approval.items.map((item) => ({
    key: `window:${prKey(gate)}:${item}@${gate.headSha}:${approval.window.name}@${approval.openedAt}`,
    entry: {
      ...entryBase(gate, now),
      actor: 'hitl',
      action: 'auto_approved' as const,
      checkpoint: item,
      reason: `approved by maintenance window ${approval.window.name}`,
      details: {
        kind: 'maintenance_window',
        window: approval.window.name,
        openedAt: approval.openedAt,
        closesAt: approval.closesAt,
        ...(approval.window.approverRole ? { approverRole: approval.window.approverRole } : {}),
      },
    } satisfies AuditEntry,
  }));
}

export interface MaintenanceDeps extends BypassDeps {
  /** A BullMQ queue named MAINTENANCE_QUEUE. */
  queue: Queue;
}

/**
 * For the gate, after an evaluation in which open windows approved items (see windowApprovals):
 * audits each approval once, comments on the PR once per window opening, and makes sure the
 * window's summary is scheduled at its close.
 */
export async function onWindowApproval(deps: MaintenanceDeps & { github: GitHubClient }, gate: GateRef, approval: WindowApproval): Promise<void> {
  await recordOnce(deps, approvalEntries(approval, gate, deps.now()));
  const job: SummaryJob = { installationId: gate.installationId, owner: gate.owner, repo: gate.repo, window: approval.window.name, openedAt: approval.openedAt, closesAt: approval.closesAt };
  await deps.queue.add('window-summary', job, {
    jobId: summaryJobId(job),
    delay: Math.max(0, approval.closesAt - deps.now()),
    removeOnComplete: true,
    removeOnFail: 100,
    attempts: 5,
    backoff: { type: 'exponential', delay: 60_000 },
  });
  const commentKey = `window-comment:${prKey(gate)}:${approval.window.name}@${approval.openedAt}`;
  if (await deps.once.claim(commentKey)) {
    try {
      await comment(deps.github, gate, gate.number, approvalComment(approval));
    } catch (error) {
      await deps.once.release(commentKey);
      throw error;
    }
  }
}

/** What one opening approved, from the audit log (the log is the record; nothing else is kept). */
export async function approvalsInOpening(deps: Pick<BypassDeps, 'audit'>, job: SummaryJob): Promise<AuditEntry[]> {
  const entries = await deps.audit.query({ repo: `${job.owner}/${job.repo}`, action: 'auto_approved', since: job.openedAt, until: job.closesAt });
  return entries.filter((e) => e.installationId === job.installationId && e.details?.window === job.window && e.details.openedAt === job.openedAt);
}

/** The summary job: one issue per window opening listing what was approved inside it. */
export async function postWindowSummary(deps: BypassDeps & { github: GitHubClient }, job: SummaryJob): Promise<'posted' | 'empty' | 'already-posted'> {
  const entries = await approvalsInOpening(deps, job);
  if (entries.length === 0) return 'empty';
  const key = `window-summary:${summaryJobId(job)}`;
  if (!(await deps.once.claim(key))) return 'already-posted';
  try {
    await createIssue(deps.github, job, { title: summaryTitle(job, entries.length), body: summaryBody(job, entries), labels: [SUMMARY_LABEL] });
  } catch (error) {
    await deps.once.release(key);
    throw error;
  }
  return 'posted';
}

/** The worker the lead starts next to the app: `getGitHub` is Probot's `app.auth(installationId)`. */
export function createWindowSummaryWorker(
  connection: ConnectionOptions,
  deps: BypassDeps & { getGitHub: (installationId: number) => Promise<GitHubClient> },
  options: { prefix?: string } = {},
): Worker<SummaryJob> {
  return new Worker<SummaryJob>(
    MAINTENANCE_QUEUE,
    async (job: Job<SummaryJob>) => postWindowSummary({ ...deps, github: await deps.getGitHub(job.data.installationId) }, job.data),
    { connection, prefix: options.prefix },
  );
}
