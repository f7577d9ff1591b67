/**
 * Pure markdown for everything HITL shows on GitHub: the `hitl` check (a table of gate items),
 * the `hitl/<checkpoint>` checks, `/hitl status` and `/hitl help` replies, and config errors
 * (with check-run annotations). `hitl plan` has its own report (src/cli/plan-report.ts).
 */
import { HELP_TEXT } from '../commands/parse.js';
import type { ConfigIssue } from '../config/types.js';
import { formatIssue } from '../config/load.js';
import type { PendingItem } from '../escalation/types.js';
import type { DroppedApproval, Evaluation, GateItem, ItemEvaluation, ItemStatus, Plan } from '../policy/types.js';
import type { PolicyDiff } from '../policy/difference.js';
import { renderPolicyDiff } from './policy-diff.js';

/** GitHub's limit for a check run's summary. */
export const MAX_SUMMARY_CHARS = 65_535;

export interface CheckText {
  title: string;
  summary: string;
}

const WORKFLOW_NAME: Record<Plan['workflow'], string> = { automatic: 'automatic', peer: 'peer review', expert: 'expert review', emergency: 'emergency' };

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hours = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

export function approversText(item: GateItem): string {
  return item.approvers.roles.length > 0 ? item.approvers.roles.join(', ') : 'any collaborator with write access';
}

export function approveCommand(item: GateItem): string {
  return `/approve ${item.name}`;
}

function limit(text: string): string {
  const note = '\n\n… (cut at GitHub’s summary limit)';
  return text.length <= MAX_SUMMARY_CHARS ? text : text.slice(0, MAX_SUMMARY_CHARS - note.length) + note;
}

function statusText(status: ItemStatus): string {
  switch (status.state) {
    case 'pending':
      return status.breached ? '⏳ pending (SLA breached)' : '⏳ pending';
    case 'approved':
      return '✅ approved';
    case 'rejected':
      return `❌ rejected by @${status.by}: ${status.reason}`;
    case 'bypassed':
      return status.bypass.kind === 'emergency'
        ? `⚠️ bypassed (emergency, @${status.bypass.by})`
        : status.bypass.kind === 'maintenance_window'
          ? `⚠️ bypassed (maintenance window ${status.bypass.window})`
          : `⚠️ bypassed (test branch ${status.bypass.branch})`;
    case 'not-required':
      return '➖ optional';
  }
}

function criteriaText(item: GateItem, status: ItemStatus): string {
  if (item.criteria.length === 0) return '—';
  const ticked = 'criteria' in status ? new Map(status.criteria.map((c) => [c.name, c.ticked])) : new Map<string, boolean>();
  return item.criteria.map((c) => `${ticked.get(c) ? '☑' : '☐'} ${c}`).join('<br>');
}

/** A commit as GitHub shortens it in prose (a command given before any head was seen says so). */
export const shortSha = (sha: string) => (/^[0-9a-f]{8,}$/i.test(sha) ? sha.slice(0, 7) : sha);

function approvalsText(item: GateItem, status: ItemStatus): string {
  const records = 'approvals' in status ? status.approvals : [];
  // The head each approval was given on: after a push, which ones still hold is visible at a glance.
  const who = records.map((r) => `@${r.by} on ${shortSha(r.commitSha)}`).join(', ');
  return `${records.length}/${item.approvals}${who ? ` (${who})` : ''}`;
}

function itemRow(item: GateItem, status: ItemStatus, level: number | undefined): string {
  const open = status.state === 'pending';
  return `| ${[
    `\`${item.name}\``,
    statusText(status),
    approversText(item),
    approvalsText(item, status),
    criteriaText(item, status),
    status.state === 'pending' ? `${when(status.deadline)} (${hours(item.timeoutMs)})` : '—',
    level === undefined ? '—' : `level ${level}`,
    open ? `\`${approveCommand(item)}\`` : '—',
  ].map(cell).join(' | ')} |`;
}

function itemsTable(rows: readonly ItemEvaluation[], levels: Record<string, number>): string {
  if (rows.length === 0) return 'No human checkpoint is needed.';
  return [
    '| Checkpoint | Status | Approvers | Approvals | Criteria | SLA deadline | Escalation | To approve |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => itemRow(r.item, r.status, levels[r.item.name])),
  ].join('\n');
}

function reasonsText(plan: Plan): string {
  const lines = [
    ...plan.workflowReasons.map((r) => `- ${r.detail}`),
    ...plan.items.flatMap((i) => i.reasons.map((r) => `- ${i.name}: ${r.detail.replace(/^[^:]+: /, '')}`)),
  ];
  return lines.join('\n');
}

const criteriaHint = (plan: Plan) =>
  plan.items.some((i) => i.criteria.length > 0)
    ? '\n\nCriteria are met by ticking `- [x] <criterion>` in the pull request description.'
    : '';

export interface GateReportInput {
  plan: Plan;
  evaluation: Evaluation;
  /** Lines shown above the table, e.g. that a `.hitl.yml` changed in the PR is ignored. */
  notes?: string[];
  /** Escalation level per pending item name, where known. */
  levels?: Record<string, number>;
  /** On a pull request that changes `.hitl.yml`: what its file would change for the other open PRs. */
  policyDiff?: PolicyDiff;
}

/**
 * What the check shows of the escalation climb: the level of each item that has climbed (level 0,
 * not started, shows as "—" like an item never escalated, so the first ensure changes nothing on
 * the check), and who acknowledged which item until when, while that pause lasts.
 */
export function escalationView(items: ReadonlyArray<Pick<PendingItem, 'item' | 'level' | 'acknowledgedBy' | 'acknowledgedUntil'>>, now: number): Required<Pick<GateReportInput, 'levels' | 'notes'>> {
  const levels: Record<string, number> = {};
  const notes: string[] = [];
  for (const { item, level, acknowledgedBy, acknowledgedUntil } of items) {
    if (level > 0) levels[item] = level;
    if (acknowledgedBy && acknowledgedUntil !== undefined && acknowledgedUntil > now) {
      notes.push(`\`${item}\`: acknowledged by @${acknowledgedBy} until ${when(acknowledgedUntil)}; escalation is paused until then.`);
    }
  }
  return { levels, notes };
}

export function renderGate({ plan, evaluation, notes = [], levels = {}, policyDiff }: GateReportInput): CheckText {
  // An emergency bypass names its author in the title, where reviewers and branch protection look first.
  const by = evaluation.bypass && evaluation.verdict.state === 'pass' ? ` by @${evaluation.bypass.by}` : '';
  const title = `${WORKFLOW_NAME[evaluation.workflow]}: ${evaluation.verdict.summary}${by}`;
  const parts = [
    ...notes.map((n) => `> ${n}`),
    `**Workflow: ${WORKFLOW_NAME[evaluation.workflow]}** (${evaluation.verdict.state})`,
    reasonsText(plan),
    itemsTable(evaluation.items, levels),
  ];
  if (evaluation.hold) parts.push(`🛑 On hold by @${evaluation.hold.by}: \`/unhold\` releases it.`);
  if (evaluation.bypass) parts.push(`⚠️ Emergency bypass by @${evaluation.bypass.by}: ${evaluation.bypass.justification}`);
  const diff = policyDiff ? `\n\n${renderPolicyDiff(policyDiff)}` : '';
  return { title: title.slice(0, 250), summary: limit(parts.filter(Boolean).join('\n\n') + criteriaHint(plan) + diff) };
}

/** The `hitl/<checkpoint>` check of one gate item. */
export function renderItemCheck({ item, status }: ItemEvaluation): CheckText {
  const reasons = item.reasons.map((r) => `- ${r.detail}`).join('\n');
  return {
    title: `${item.name}: ${statusText(status)}`.slice(0, 250),
    summary: limit([item.kind === 'checkpoint' ? `Switched on by:\n${reasons}` : '', itemsTable([{ item, status }], {})].filter(Boolean).join('\n\n')),
  };
}

export function renderStatus(input: GateReportInput): string {
  const { title, summary } = renderGate(input);
  return limit(`**HITL status: ${title}**\n\n${summary}`);
}

const SHOWN_FILES = 10;

/** The one comment after a push that dropped approvals: whose, for which item, and which files changed since. */
export function renderDroppedApprovals(dropped: ReadonlyArray<{ item: string; approvals: readonly DroppedApproval[] }>, headSha: string): string {
  const lines = dropped.flatMap(({ item, approvals }) =>
    approvals.map((a) => {
      const approval = `@${a.by}'s approval of \`${shortSha(a.commitSha)}\` no longer counts for \`${item}\``;
      if (!a.changed) return `- ${approval}: the patches it approved are not on record, so no file can be shown unchanged.`;
      const files = a.changed.slice(0, SHOWN_FILES).map((f) => `\`${f}\``).join(', ');
      return `- ${approval}: changed since: ${files}${a.changed.length > SHOWN_FILES ? ` and ${a.changed.length - SHOWN_FILES} more` : ''}.`;
    }),
  );
  const people = [...new Set(dropped.flatMap((d) => d.approvals.map((a) => `@${a.by}`)))];
  return limit([
    `**Approvals dropped by the push of \`${shortSha(headSha)}\`**`,
    lines.join('\n'),
    `${people.join(', ')}: please review again. (\`dismiss_stale_approvals\` in \`.hitl.yml\` says which changes drop an approval; a rebase that leaves every patch identical drops none.)`,
  ].join('\n\n'));
}

export function renderHelp(): string {
  return `**HITL commands** (one per line, in a new comment):\n\n${HELP_TEXT}`;
}

export interface ConfigErrorReport extends CheckText {
  annotations: Array<{ path: string; start_line: number; end_line: number; annotation_level: 'failure'; message: string }>;
}

/** An invalid config fails the gate; errors of the repository's own file are annotated at their lines. */
export function renderConfigErrors(errors: readonly ConfigIssue[], fileName = '.hitl.yml'): ConfigErrorReport {
  const lines = errors.map((e) => `- \`${formatIssue(e, fileName)}\``);
  const first = errors[0];
  return {
    title: `invalid ${fileName}: ${first ? formatIssue(first, fileName) : 'unknown error'}`.slice(0, 250),
    summary: limit(`The gate stays shut until the base branch's \`${fileName}\` is valid.\n\n${lines.join('\n')}`),
    annotations: errors
      .filter((e) => e.source === 'repository' && e.line !== undefined)
      .map((e) => ({ path: fileName, start_line: e.line!, end_line: e.line!, annotation_level: 'failure' as const, message: e.message })),
  };
}
