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

/** Written once, shown twice: an editor's hover text on the key and HITL's own docs. */
const APPROVER = 'Role name(s) under `roles:` whose members may approve; a role is users, teams (@org/team) or a permission level.';
const TIMEOUT = 'The SLA: how long approval may take before it is overdue. A duration such as 24_hours, 2h, 30m, 1d.';
const ESCALATE_AFTER = 'When the escalation climb (levels 1–4) starts, counted from when the gate started; default: the timeout. 0s starts it at once.';
const DISMISS_STALE =
  'What a push does to approvals of an older head: changed_paths drops them only when files that fired the checkpoint changed (label-, title- or size-fired: any change of the diff); true drops them on any change of the diff; false keeps them. A push that leaves every file\'s patch identical (a rebase, a clean merge of the base) never drops an approval.';
const DismissStale = z.union([z.literal('changed_paths'), z.boolean()]);
const APPROVALS = 'How many different people of the approver roles must approve (1–10; default 1).';

export const CheckpointConfig = z
  .strictObject({
    trigger: OneOrMany(Name).optional().describe('Trigger name(s) under `triggers:` that switch this checkpoint on; any one firing is enough.'),
    required: z.boolean().optional().describe('Whether the `hitl` check waits for this checkpoint (default true). A checkpoint that is not required still makes the change expert.'),
    approver: OneOrMany(Name).optional().describe(APPROVER),
    approvals: z.number().int().min(1).max(10).optional().describe(APPROVALS),
    criteria: z.array(z.string().min(1).max(200)).max(30).optional().describe('A checklist: each is met by ticking `- [x] <criterion>` in the PR description (the name or the same words). Unmet criteria keep the checkpoint pending whoever approves.'),
    timeout: Duration.optional().describe(TIMEOUT),
    escalate_after: Duration.optional().describe(ESCALATE_AFTER),
    dismiss_stale_approvals: DismissStale.optional().describe(`${DISMISS_STALE} Default changed_paths.`),
    /** Which bypass mechanisms may pass this checkpoint; rollback decisions default to emergency only. */
    allow_bypass: z.array(BypassKind).optional().describe('Which bypasses may pass this checkpoint: emergency, maintenance_window, test_environment (default all three; the built-in rollback_decision allows only emergency).'),
    description: z.string().max(500).optional().describe('Free text shown with the checkpoint.'),
  })
  .describe('A human checkpoint: which triggers open it, who approves, how many, against which criteria, within which SLA.');

export const WorkflowConfig = z
  .strictObject({
    scope: z.string().optional().describe("The seed's description of what the workflow covers (informational)."),
    criteria: z.array(z.string()).optional().describe("The seed's criteria for the workflow (informational)."),
    process: OneOrMany(z.string()).optional().describe("The seed's process steps (informational)."),
    approver: OneOrMany(Name).optional().describe(`${APPROVER} Default: peer review, any collaborator with write access; expert review, senior_developer.`),
    approvals: z.number().int().min(1).max(10).optional().describe(APPROVALS),
    timeout: Duration.optional().describe(`${TIMEOUT} Default 24 h peer, 48 h expert.`),
    escalate_after: Duration.optional().describe(ESCALATE_AFTER),
    dismiss_stale_approvals: DismissStale.optional().describe(`${DISMISS_STALE} Default false for peer review, changed_paths for expert review.`),
  })
  .describe("A workflow's own review, asked for when no required checkpoint is active.");

export const EscalationLevelConfig = z
  .strictObject({
    scope: z.string().optional().describe("The seed's description of the level (informational)."),
    actions: z.array(z.string()).optional().describe("The seed's actions of the level (informational; what HITL does at each level is fixed)."),
    timeout: Duration.optional().describe('How long an item stays at this level before it climbs to the next (after the last: the reminder interval).'),
    escalation: z.string().optional().describe("The seed's name of the next level (informational; levels climb in order)."),
    /** Roles mentioned at this level (defaults: level 3 technical_lead, level 4 management). */
    notify: OneOrMany(Name).optional().describe('Role name(s) mentioned at this level (default: level 3 technical_lead, level 4 management).'),
  })
  .describe('One escalation level of a pending item.');

export const TriggerConfig = z
  .strictObject({
    paths: z.array(Glob).optional().describe('Globs of changed files (or the old path of a renamed one) that fire the trigger. A list here replaces the built-in list: copy the built-in entries you want to keep.'),
    paths_ignore: z.array(Glob).optional().describe('Globs that never fire the trigger even where `paths` match (e.g. vendored copies: "**/vendor/**").'),
    labels: z.array(z.string().min(1).max(50)).optional().describe('Pull request labels that fire the trigger (case-insensitive).'),
    title: Regex.optional().describe('A regular expression matched against the pull request title (its first 256 characters).'),
    min_files: z.number().int().min(1).optional().describe('Fires when at least this many files changed, not counting low-risk and size-excluded paths.'),
    min_lines: z.number().int().min(1).optional().describe('Fires when at least this many lines changed, not counting low-risk and size-excluded paths.'),
    revert: z.boolean().optional().describe('Fires for revert pull requests (GitHub\'s Revert button or `git revert`).'),
  })
  .describe('What in a pull request fires the trigger: any one matcher is enough.');

/** The schedule of a maintenance window or a deployment freeze: cron + duration (+ timezone), or start + end. */
const ScheduleFields = {
  name: Name.describe('A name for messages and the audit log.'),
  cron: z.string().optional().describe('When it opens, as a cron expression (with duration); e.g. "0 2 * * 6".'),
  duration: Duration.optional().describe('How long it stays open after each cron time, e.g. 4_hours.'),
  timezone: Timezone.optional().describe('The IANA time zone of the cron expression (default UTC), e.g. Europe/Berlin.'),
  start: IsoTime.optional().describe('A one-off window: when it opens (ISO 8601, with end).'),
  end: IsoTime.optional().describe('A one-off window: when it closes (ISO 8601, with start).'),
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
  .strictObject({
    ...ScheduleFields,
    auto_approve: z.array(Name).min(1).describe('Approval workflows (peer_review, expert_review) and checkpoints the window approves while open, in its name.'),
    approver: Name.optional().describe('The role on whose authority the window approves (recorded in the audit log).'),
  })
  .superRefine(checkSchedule('maintenance window'))
  .describe('A maintenance window: cron + duration (+ timezone), or start + end.');

/** A deployment freeze: while open, no deployment to a gated environment is approved. */
export const FreezeConfig = z.strictObject(ScheduleFields).superRefine(checkSchedule('deployment freeze')).describe('A deployment freeze: cron + duration (+ timezone), or start + end.');

export const BypassConfig = z.strictObject({
  emergency: z
    .strictObject({
      label: z.string().min(1).max(50).optional().describe('The label that asks for an emergency bypass (default "emergency"); it takes effect only when an allowed role added it with an `Emergency: <why>` line in the description.'),
      allowed: z.array(Name).optional().describe('Roles that may bypass with `/bypass <justification>` or the label (default on_call_engineer and technical_lead, i.e. maintain permission).'),
      allow_author: z.boolean().optional().describe("Whether the pull request's author, if in an allowed role, may bypass their own pull request (default false)."),
      post_review: z.boolean().optional().describe('Whether a post-implementation review issue is opened after a bypassed pull request merges (default true).'),
    })
    .optional()
    .describe('The emergency override: all checkpoints pass as bypassed, audited, reviewed after the merge.'),
  maintenance_windows: z.array(MaintenanceWindowConfig).optional().describe('Times in which named workflows and checkpoints are approved by the app.'),
  test_environments: z
    .strictObject({
      branches: z.array(Glob).optional().describe('Base branches (globs) whose pull requests pass automatically, e.g. "staging", "test/**".'),
      environments: z.array(Glob).optional().describe('Deployment environments (globs) that pass automatically, e.g. "preview-*".'),
    })
    .optional()
    .describe('Branches and environments where the gate passes automatically.'),
  protected_environments: z.array(z.string().min(1)).optional().describe('Environments never bypassed as a test environment (default ["production"]).'),
}).describe('Audited ways around the gate.');

export const NotifyConfig = z
  .strictObject({
    channels: z.array(z.enum(['slack', 'webhook'])).optional().describe("Which of the server's channels escalations also go to (their addresses live on the server, never here)."),
    from_level: z.number().int().min(1).max(4).optional().describe('The first escalation level sent to the channels (default 3).'),
  })
  .describe('External notification of escalations.');

export const ClassificationConfig = z
  .strictObject({
    low_risk_paths: z.array(Glob).optional().describe('Globs of files that alone make a change automatic when no trigger fires (default: Markdown, reStructuredText, docs/, LICENSE*, .gitignore, images).'),
    peer_review_max_lines: z.number().int().min(1).optional().describe('A change with at least this many counted lines is expert, below it peer (default 200).'),
    size_excluded_paths: z.array(Glob).optional().describe('Globs of files whose lines and count do not make a change larger (min_files, min_lines, peer_review_max_lines); they still fire path triggers. Default: vendored code, generated code and lockfiles.'),
  })
  .describe('The size and path thresholds behind the workflows.');

export const DeploymentsConfig = z
  .strictObject({
    require_approval: z.array(Name).optional().describe('Roles one of whom must `/approve deploy` on the pull request before a protected deployment goes ahead.'),
    freeze: z.array(FreezeConfig).optional().describe('Times in which no deployment to a protected environment is approved.'),
  })
  .describe('The deployment protection rule.');

export const HitlFileSchema = z.strictObject({
  checkpoints: z.record(Name, CheckpointConfig).optional().describe('Human checkpoints by name; the seed\'s five are built in and keys left out keep their defaults.'),
  approval_workflows: z
    .strictObject({
      automatic: WorkflowConfig.optional().describe('Changes of only low-risk paths with no trigger: approved by the app.'),
      peer_review: WorkflowConfig.optional().describe('Smaller changes with no trigger: one approval from a collaborator with write access.'),
      expert_review: WorkflowConfig.optional().describe('Larger changes, or any checkpoint: the checkpoints\' approvals, or senior_developer when none is active.'),
      emergency_bypass: WorkflowConfig.optional().describe("The seed's emergency workflow (informational: see bypass.emergency)."),
    })
    .optional()
    .describe("The seed's four workflows."),
  escalation_levels: z
    .record(z.string().regex(/^level_[1-9]$/, 'escalation levels are named level_1 … level_9'), EscalationLevelConfig)
    .optional()
    .describe('level_1 … level_4: how a pending item climbs (the seed\'s levels and timeouts are built in).'),
  roles: z
    .record(Name, OneOrMany(RoleMember))
    .optional()
    .describe('Role names → GitHub users ("alice"), teams ("@org/team") or permission levels ("permission:maintain").'),
  triggers: z.record(Name, TriggerConfig).optional().describe('Trigger names → what in a pull request fires them (paths, labels, title, size, revert).'),
  classification: ClassificationConfig.optional(),
  notify: NotifyConfig.optional(),
  bypass: BypassConfig.optional(),
  deployments: DeploymentsConfig.optional(),
});

export type HitlFile = z.infer<typeof HitlFileSchema>;

type JsonNode = { properties?: Record<string, JsonNode>; additionalProperties?: JsonNode | boolean; items?: JsonNode; anyOf?: JsonNode[] };
let generated: JsonNode | undefined;

/** The keys an object at `path` of a file may have (for "did you mean"), read from the generated JSON Schema. */
export function knownKeysAt(path: ReadonlyArray<string | number>): string[] {
  let node: JsonNode | undefined = (generated ??= hitlJsonSchema() as JsonNode);
  for (const segment of path) {
    const object: JsonNode | undefined = node.properties || typeof node.additionalProperties === 'object' ? node : node.anyOf?.find((option) => option.properties || typeof option.additionalProperties === 'object');
    if (typeof segment === 'number') node = node.items ?? node.anyOf?.find((option) => option.items)?.items;
    else node = object?.properties?.[segment] ?? (typeof object?.additionalProperties === 'object' ? object.additionalProperties : undefined);
    if (!node) return [];
  }
  return Object.keys(node.properties ?? node.anyOf?.find((option) => option.properties)?.properties ?? {});
}

/** JSON Schema (draft 2020-12) for editors, generated from the zod schema above. */
export function hitlJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(HitlFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: '.hitl.yml',
    description: 'HITL configuration: checkpoints, approval workflows, escalation levels, roles, triggers and bypasses.',
  };
}
