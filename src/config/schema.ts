/**
 * The one zod schema of `.hitl.yml` (product.md §2). It describes a single file as written:
 * every key is optional because a file overrides the org's file and the built-in defaults key
 * by key; what must exist after the merge (a checkpoint's trigger, defined role names) is
 * checked by `resolve.ts`. Objects are strict so a misspelt key is an error, not a silent
 * default. The JSON Schema for editors is generated from this same schema.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { compileGlob, compileTitlePattern } from './patterns.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const USER = /^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9_.-]{1,100}$/;
const PERMISSION = /^permission:(read|triage|write|maintain|admin)$/;

export const Name = z
  .string()
  .regex(NAME, 'a name starts with a letter and has only letters, digits, "_" and "-" (at most 40)');

const OneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]);

export const Duration = z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

export const Glob = z.string().min(1).superRefine((glob, ctx) => {
  const compiled = compileGlob(glob);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.error });
});

const Regex = z.string().min(1).max(500).superRefine((source, ctx) => {
  const compiled = compileTitlePattern(source);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.error });
});

const Timezone = z.string().superRefine((zone, ctx) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${zone}" (use an IANA name such as Europe/Berlin)` });
  }
});

const IsoTime = z.string().superRefine((text, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(Date.parse(text))) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an ISO 8601 time such as 2026-12-24T22:00:00Z` });
  }
});

export const RoleMember = z
  .string()
  .refine((m) => TEAM.test(m) || PERMISSION.test(m) || USER.test(m), {
    message: 'a role member is a user ("alice"), a team ("@org/team") or a permission ("permission:maintain")',
  });

export const BypassKind = z.enum(['emergency', 'maintenance_window', 'test_environment']);

export const CheckpointConfig = z.strictObject({
  trigger: OneOrMany(Name).optional(),
  required: z.boolean().optional(),
  approver: OneOrMany(Name).optional(),
  approvals: z.number().int().min(1).max(10).optional(),
  criteria: z.array(z.string().min(1).max(200)).max(30).optional(),
  timeout: Duration.optional(),
  escalate_after: Duration.optional(),
  dismiss_stale_approvals: z.boolean().optional(),
  /** Which bypass mechanisms may pass this checkpoint; rollback decisions default to emergency only. */
  allow_bypass: z.array(BypassKind).optional(),
  description: z.string().max(500).optional(),
});

export const WorkflowConfig = z.strictObject({
  scope: z.string().optional(),
  criteria: z.array(z.string()).optional(),
  process: OneOrMany(z.string()).optional(),
  approver: OneOrMany(Name).optional(),
  approvals: z.number().int().min(1).max(10).optional(),
  timeout: Duration.optional(),
  escalate_after: Duration.optional(),
  dismiss_stale_approvals: z.boolean().optional(),
});

export const EscalationLevelConfig = z.strictObject({
  scope: z.string().optional(),
  actions: z.array(z.string()).optional(),
  timeout: Duration.optional(),
  escalation: z.string().optional(),
  /** Roles mentioned at this level (defaults: level 3 technical_lead, level 4 management). */
  notify: OneOrMany(Name).optional(),
});

export const TriggerConfig = z.strictObject({
  paths: z.array(Glob).optional(),
  labels: z.array(z.string().min(1).max(50)).optional(),
  title: Regex.optional(),
  min_files: z.number().int().min(1).optional(),
  min_lines: z.number().int().min(1).optional(),
  revert: z.boolean().optional(),
});

/** The schedule of a maintenance window or a deployment freeze: cron + duration (+ timezone), or start + end. */
const ScheduleFields = {
  name: Name,
  cron: z.string().optional(),
  duration: Duration.optional(),
  timezone: Timezone.optional(),
  start: IsoTime.optional(),
  end: IsoTime.optional(),
};

type ScheduleInput = { cron?: string; duration?: string; timezone?: string; start?: string; end?: string };

/** One form, complete, and valid; `what` names the kind of window in the message ("maintenance window"). */
const checkSchedule = (what: string) => (window: ScheduleInput, ctx: z.RefinementCtx) => {
  const cronForm = window.cron !== undefined || window.duration !== undefined;
  const fixedForm = window.start !== undefined || window.end !== undefined;
  if (cronForm === fixedForm) {
    ctx.addIssue({ code: 'custom', message: `a ${what} has either cron + duration or start + end` });
    return;
  }
  if (cronForm) {
    if (window.cron === undefined || window.duration === undefined) {
      ctx.addIssue({ code: 'custom', message: `a cron ${what} needs both cron and duration` });
      return;
    }
    try {
      CronExpressionParser.parse(window.cron, { tz: window.timezone ?? 'UTC' });
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: `bad cron "${window.cron}": ${(error as Error).message}` });
    }
  } else if (window.start === undefined || window.end === undefined) {
    ctx.addIssue({ code: 'custom', message: `a fixed ${what} needs both start and end` });
  } else if (Date.parse(window.end) <= Date.parse(window.start)) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
  }
};

export const MaintenanceWindowConfig = z
  .strictObject({ ...ScheduleFields, auto_approve: z.array(Name).min(1), approver: Name.optional() })
  .superRefine(checkSchedule('maintenance window'));

/** A deployment freeze: while open, no deployment to a gated environment is approved. */
export const FreezeConfig = z.strictObject(ScheduleFields).superRefine(checkSchedule('deployment freeze'));

export const BypassConfig = z.strictObject({
  emergency: z
    .strictObject({
      label: z.string().min(1).max(50).optional(),
      allowed: z.array(Name).optional(),
      post_review: z.boolean().optional(),
    })
    .optional(),
  maintenance_windows: z.array(MaintenanceWindowConfig).optional(),
  test_environments: z
    .strictObject({ branches: z.array(Glob).optional(), environments: z.array(Glob).optional() })
    .optional(),
  protected_environments: z.array(z.string().min(1)).optional(),
});

export const NotifyConfig = z.strictObject({
  channels: z.array(z.enum(['slack', 'webhook'])).optional(),
  from_level: z.number().int().min(1).max(4).optional(),
});

export const ClassificationConfig = z.strictObject({
  low_risk_paths: z.array(Glob).optional(),
  peer_review_max_lines: z.number().int().min(1).optional(),
});

export const DeploymentsConfig = z.strictObject({
  require_approval: z.array(Name).optional(),
  freeze: z.array(FreezeConfig).optional(),
});

export const HitlFileSchema = z.strictObject({
  checkpoints: z.record(Name, CheckpointConfig).optional(),
  approval_workflows: z
    .strictObject({
      automatic: WorkflowConfig.optional(),
      peer_review: WorkflowConfig.optional(),
      expert_review: WorkflowConfig.optional(),
      emergency_bypass: WorkflowConfig.optional(),
    })
    .optional(),
  escalation_levels: z.record(z.string().regex(/^level_[1-9]$/, 'escalation levels are named level_1 … level_9'), EscalationLevelConfig).optional(),
  roles: z.record(Name, OneOrMany(RoleMember)).optional(),
  triggers: z.record(Name, TriggerConfig).optional(),
  classification: ClassificationConfig.optional(),
  notify: NotifyConfig.optional(),
  bypass: BypassConfig.optional(),
  deployments: DeploymentsConfig.optional(),
});

export type HitlFile = z.infer<typeof HitlFileSchema>;

/** JSON Schema (draft 2020-12) for editors, generated from the zod schema above. */
export function hitlJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(HitlFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: '.hitl.yml',
    description: 'HITL configuration: checkpoints, approval workflows, escalation levels, roles, triggers and bypasses.',
  };
}
