/**
 * What `hitl plan` shows, built once from the engine's Plan: `--json` prints it as is, and
 * renderPlanMarkdown turns it into text a reviewer can paste into a pull request. Pure.
 */
import { formatConfigDuration } from '../config/duration.js';
import type { EscalationLevelPolicy, ResolvedConfig } from '../config/types.js';
import { WORKFLOW_LABEL, type GateItem, type Plan, type Workflow } from '../policy/types.js';

export interface PlanContext {
  base: { ref: string; commit: string };
  head: { ref: string; commit: string };
  /** Where the config came from: ".hitl.yml at <base>", or the built-in defaults. */
  configSource: string;
  title: string;
  labels: string[];
  files: number;
  additions: number;
  deletions: number;
}

export interface EscalationStep {
  level: number;
  /** From the start of the gate. */
  afterMs: number;
  after: string;
  notifies: string[];
}

export interface PlanReportItem {
  name: string;
  kind: GateItem['kind'];
  required: boolean;
  approvers: string[];
  approvals: number;
  criteria: string[];
  slaMs: number;
  sla: string;
  triggeredBy: string[];
  escalation: EscalationStep[];
  /** After the last level, reminders repeat at this interval. */
  reminderEveryMs: number;
}

export interface PlanReport extends PlanContext {
  /** The workflow in force until someone acts: an emergency label alone bypasses nothing. */
  workflow: Workflow;
  label: string;
  reasons: string[];
  testBranch: boolean;
  emergency: { requested: boolean; label: string; allowedRoles: string[]; allowAuthor: boolean };
  items: PlanReportItem[];
}

const ANYONE_WITH_WRITE = 'any collaborator with write access';

/** Who an item asks, for people: its roles, or anyone with write access when it names none. */
export const approverNamesOf = (item: GateItem): string[] => (item.approvers.roles.length > 0 ? item.approvers.roles : [ANYONE_WITH_WRITE]);

function escalationOf(item: GateItem, levels: readonly EscalationLevelPolicy[]): EscalationStep[] {
  let afterMs = item.escalateAfterMs;
  return levels.map((level) => {
    // One exact unit ("95m", not "1h 35m"): a schedule must not be rounded, and can be pasted into escalate_after.
    const step = { level: level.level, afterMs, after: formatConfigDuration(afterMs), notifies: level.notifyRoles };
    afterMs += level.timeoutMs;
    return step;
  });
}

export function planReport(plan: Plan, config: ResolvedConfig, context: PlanContext): PlanReport {
  return {
    ...context,
    workflow: plan.riskWorkflow,
    label: WORKFLOW_LABEL[plan.riskWorkflow],
    reasons: plan.workflowReasons.map((r) => r.detail),
    testBranch: plan.testBranch,
    emergency: { requested: plan.emergencyRequested, label: plan.emergency.label, allowedRoles: plan.emergency.allowedRoles, allowAuthor: plan.emergency.allowAuthor },
    items: plan.items.map((item) => ({
      name: item.name,
      kind: item.kind,
      required: item.required,
      approvers: approverNamesOf(item),
      approvals: item.approvals,
      criteria: item.criteria,
      slaMs: item.timeoutMs,
      sla: formatConfigDuration(item.timeoutMs),
      triggeredBy: item.reasons.map((r) => r.detail),
      escalation: escalationOf(item, config.escalation),
      reminderEveryMs: config.escalation.at(-1)?.timeoutMs ?? 0,
    })),
  };
}

const WORKFLOW_TITLE: Record<Workflow, string> = {
  automatic: 'automatic approval',
  peer: 'peer review',
  expert: 'expert review',
  emergency: 'emergency bypass',
};

/** Table cells must not break the table. */
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
export const short = (sha: string) => sha.slice(0, 7);

export function renderPlanMarkdown(report: PlanReport): string {
  const out: string[] = [];
  out.push(`## HITL plan: ${WORKFLOW_TITLE[report.workflow]} (\`${report.label}\`)`, '');
  out.push(
    `Diff \`${report.base.ref}\`…\`${report.head.ref}\` (${short(report.base.commit)}…${short(report.head.commit)}): ` +
      `${report.files} file(s), +${report.additions} −${report.deletions}. Policy: ${report.configSource}.`,
  );
  if (report.labels.length > 0) out.push(`Labels: ${report.labels.map((l) => `\`${l}\``).join(', ')}.`);
  out.push('', '**Why**', ...report.reasons.map((r) => `- ${r}`), '');

  if (report.emergency.requested) {
    const who = `${report.emergency.allowedRoles.join(' or ') || 'an allowed role'}${report.emergency.allowAuthor ? '' : ' (not the author)'}`;
    out.push(
      `> The \`${report.emergency.label}\` label asks for an emergency bypass; until one is in force, the gate below applies. ` +
        `It takes effect when ${who} comments \`/bypass <justification>\`; then every checkpoint that allows it passes as bypassed (\`${WORKFLOW_LABEL.emergency}\`).`,
      '',
    );
  }
  if (report.testBranch) out.push('> The base branch is a test environment: checkpoints that allow it pass automatically.', '');

  if (report.items.length === 0) {
    out.push('No human checkpoint is needed: HITL approves this automatically and logs it.');
    return `${out.join('\n')}\n`;
  }

  out.push('### Checkpoints', '', '| Checkpoint | Approvers | Approvals | SLA | Required |', '|---|---|---|---|---|');
  for (const item of report.items) {
    out.push(`| \`hitl/${item.name}\` | ${cell(item.approvers.join(', '))} | ${item.approvals} | ${item.sla} | ${item.required ? 'yes' : 'no'} |`);
  }
  out.push('');
  for (const item of report.items.filter((i) => i.triggeredBy.length > 0)) {
    out.push(`- **${item.name}** because ${item.triggeredBy.map(cell).join('; ')}`);
  }
  out.push('', 'Approve with a GitHub review, or comment `/approve <checkpoint>`.', '');

  const withCriteria = report.items.filter((i) => i.criteria.length > 0);
  if (withCriteria.length > 0) {
    out.push('### Criteria', '', 'Paste into the pull request description and tick what is true:', '', '```markdown');
    for (const item of withCriteria) {
      out.push(`<!-- ${item.name} -->`, ...item.criteria.map((c) => `- [ ] ${c}`));
    }
    out.push('```', '');
  }

  out.push('### Escalation while pending', '', '| Checkpoint | ' + report.items[0]!.escalation.map((s) => `Level ${s.level}`).join(' | ') + ' | Then |');
  out.push('|---|' + report.items[0]!.escalation.map(() => '---|').join('') + '---|');
  for (const item of report.items) {
    const steps = item.escalation.map((s) => `after ${s.after}${s.notifies.length > 0 ? ` (${s.notifies.join(', ')})` : ''}`);
    out.push(`| ${item.name} | ${steps.join(' | ')} | reminder every ${formatConfigDuration(item.reminderEveryMs)} |`);
  }
  return `${out.join('\n')}\n`;
}
