/**
 * The resolved configuration: the merge of built-in defaults, the org's file and the
 * repository's file, with names checked, durations in milliseconds and glob matchers compiled
 * once. Everything downstream (policy, escalation, bypass) reads this, never raw YAML.
 */
import type { TitlePattern } from './patterns.js';

export type Permission = 'read' | 'triage' | 'write' | 'maintain' | 'admin';
export const PERMISSION_RANK: Record<Permission, number> = { read: 0, triage: 1, write: 2, maintain: 3, admin: 4 };

export type RoleMember =
  | { kind: 'user'; login: string }
  | { kind: 'team'; org: string; slug: string }
  | { kind: 'permission'; level: Permission };

export type BypassKind = 'emergency' | 'maintenance_window' | 'test_environment';
export type WorkflowReviewName = 'peer_review' | 'expert_review';

export interface Approvers {
  /** Role names as configured, for display and reviewer requests; empty means "anyone with write access". */
  roles: string[];
  /** The union of the roles' members. */
  members: RoleMember[];
}

/** Who must approve, how many, and by when: shared by checkpoints, workflow reviews and gate items. */
export interface ApprovalRule {
  approvers: Approvers;
  approvals: number;
  timeoutMs: number;
  escalateAfterMs: number;
  dismissStaleApprovals: DismissStale;
}

/** `dismiss_stale_approvals`: what a push does to approvals of an older head (policy/stale.ts). */
export type DismissStale = 'changed_paths' | boolean;

export interface CheckpointPolicy extends ApprovalRule {
  name: string;
  triggers: string[];
  required: boolean;
  criteria: string[];
  allowBypass: BypassKind[];
  description?: string;
}

export interface WorkflowReviewPolicy extends ApprovalRule {
  name: WorkflowReviewName;
}

export interface TriggerPolicy {
  name: string;
  paths: string[];
  /** Paths that never fire this trigger even when `paths` match them (vendored copies). */
  pathsIgnore: string[];
  /** `paths` minus `pathsIgnore`. */
  matchesPath: (path: string) => boolean;
  /** Lower-cased label names. */
  labels: string[];
  /** Runs in time linear in the title (patterns.ts). */
  title?: TitlePattern;
  minFiles?: number;
  minLines?: number;
  revert: boolean;
}

export interface EscalationLevelPolicy {
  level: number;
  timeoutMs: number;
  notifyRoles: string[];
  scope?: string;
  actions: string[];
}

export type WindowSchedule =
  | { kind: 'cron'; cron: string; durationMs: number; timezone: string }
  | { kind: 'fixed'; startMs: number; endMs: number };

export interface MaintenanceWindowPolicy {
  name: string;
  schedule: WindowSchedule;
  /** Workflow review names and checkpoint names the window approves. */
  autoApprove: string[];
  approverRole?: string;
}

/** A deployment freeze (`deployments.freeze`): the maintenance window's schedule, approving nothing. */
export interface FreezePolicy {
  name: string;
  schedule: WindowSchedule;
}

export interface ResolvedConfig {
  checkpoints: CheckpointPolicy[];
  workflows: Record<WorkflowReviewName, WorkflowReviewPolicy>;
  escalation: EscalationLevelPolicy[];
  roles: Record<string, RoleMember[]>;
  triggers: Record<string, TriggerPolicy>;
  classification: {
    lowRiskPaths: string[];
    isLowRisk: (path: string) => boolean;
    /** The names of the triggers whose `paths` match the path: every trigger's globs in one index. */
    triggersMatching: (path: string) => ReadonlySet<string>;
    peerReviewMaxLines: number;
    /** Files whose lines and count do not measure a change's size (vendored, generated, lockfiles). */
    sizeExcludedPaths: string[];
    isSizeExcluded: (path: string) => boolean;
  };
  notify: { channels: Array<'slack' | 'webhook'>; fromLevel: number };
  bypass: {
    /** allowAuthor: the pull request's author may bypass their own pull request (off unless the file says so). */
    emergency: { label: string; allowedRoles: string[]; allowed: RoleMember[]; allowAuthor: boolean; postReview: boolean };
    windows: MaintenanceWindowPolicy[];
    isTestBranch: (branch: string) => boolean;
    isTestEnvironment: (environment: string) => boolean;
    protectedEnvironments: string[];
  };
  deployments: { requireApproval: Approvers; freeze: FreezePolicy[] };
}

/** The config file of a repository (and of the org's `.github` repository). */
export const CONFIG_FILE = '.hitl.yml';

export type ConfigSource = 'repository' | 'organization' | 'built-in';

export interface ConfigIssue {
  severity: 'error' | 'warning';
  message: string;
  /** Key path in the YAML document, e.g. ["checkpoints", "security_review", "timeout"]. */
  path: Array<string | number>;
  source: ConfigSource;
  line?: number;
  column?: number;
}
