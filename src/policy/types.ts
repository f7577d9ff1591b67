/**
 * The vocabulary of the pure policy engine: what it is told about a pull request (PrFacts),
 * what it decides before any human acted (Plan), what humans and the app did since
 * (Evidence), and the result (Evaluation). No I/O type appears here.
 */
import type {
  ApprovalRule,
  BypassKind,
  CheckpointPolicy,
  MaintenanceWindowPolicy,
  Permission,
  ResolvedConfig,
  WorkflowReviewName,
} from '../config/types.js';

/** The gate's required check; each checkpoint has its own `hitl/<name>`. */
export const HITL_CHECK = 'hitl';

export type Workflow = 'automatic' | 'peer' | 'expert' | 'emergency';
export const WORKFLOW_RISK: Record<Workflow, number> = { automatic: 0, peer: 1, expert: 2, emergency: 3 };
export const WORKFLOW_LABEL: Record<Workflow, string> = {
  automatic: 'hitl:automatic',
  peer: 'hitl:peer-review',
  expert: 'hitl:expert-review',
  emergency: 'hitl:emergency',
};

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;

export interface ChangedFile {
  path: string;
  /** The old path of a renamed file: touching a sensitive path by moving it away counts too. */
  previousPath?: string;
  additions: number;
  deletions: number;
  /**
   * A hash of the file's status, old path and patch (its blob when GitHub shows no patch): the
   * same id on two heads is the same change of that file (policy/stale.ts). Absent: unknown.
   */
  patchId?: string;
}

export interface PrFacts {
  number: number;
  title: string;
  body: string;
  author: string;
  authorIsBot: boolean;
  baseRef: string;
  headSha: string;
  draft: boolean;
  /** Label names as on GitHub. */
  labels: string[];
  files: ChangedFile[];
  /** Totals from the pull request itself: they stay right when the file list is cut at 3,000. */
  changedFiles: number;
  additions: number;
  deletions: number;
  /** A GitHub "Revert" pull request. */
  isRevert: boolean;
  /** When the gate started for this PR (opened, or marked ready for review), ms since epoch. */
  startedAt: number;
  /** Who pushed, authored or committed the current changes, lower-cased: never approvers. */
  pushers?: string[];
}

/** Why something was chosen, for the check summary and `hitl plan`. */
export interface Reason {
  kind: 'path' | 'label' | 'title' | 'size' | 'revert' | 'truncated' | 'low-risk' | 'branch';
  detail: string;
}

export type GateItemKind = 'checkpoint' | 'workflow';

/** One thing that needs human approval: an active checkpoint, or the workflow's own review. */
export interface GateItem extends ApprovalRule {
  name: string;
  kind: GateItemKind;
  required: boolean;
  criteria: string[];
  allowBypass: BypassKind[];
  /** The triggers that switched a checkpoint on; empty for workflow reviews. */
  reasons: Reason[];
}

export interface Plan {
  /** The workflow the risk calls for, ignoring any emergency label. */
  riskWorkflow: Workflow;
  /** riskWorkflow, or emergency when the emergency label asks for a bypass. */
  workflow: Workflow;
  workflowReasons: Reason[];
  items: GateItem[];
  /** The base branch is a test environment: everything that allows it passes automatically. */
  testBranch: boolean;
  emergencyRequested: boolean;
  /** Lines changed outside low-risk paths (all lines when the file list was cut). */
  changedLines: number;
  /** What evaluation needs of the PR and the config, so that it is a function of the plan alone. */
  pr: Pick<PrFacts, 'number' | 'author' | 'headSha' | 'baseRef' | 'startedAt'> & { pushers: string[] };
  tickedCriteria: string[];
  emergency: ResolvedConfig['bypass']['emergency'];
  windows: MaintenanceWindowPolicy[];
}

/** What the app knows about a person at evaluation time (looked up by the GitHub adapter). */
export interface Actor {
  login: string;
  isBot: boolean;
  permission: Permission | 'none';
  /** "org/slug" of the teams the config names that this person belongs to, lower-cased. */
  teams: string[];
}

export type EvidenceEvent =
  | { kind: 'review'; actor: Actor; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED'; commitSha: string; at: number }
  | { kind: 'approve'; actor: Actor; checkpoint?: string; commitSha: string; at: number }
  | { kind: 'reject'; actor: Actor; checkpoint?: string; reason: string; at: number }
  | { kind: 'hold'; actor: Actor; at: number }
  | { kind: 'unhold'; actor: Actor; at: number }
  | { kind: 'bypass'; actor: Actor; justification: string; source: 'command' | 'label'; at: number }
  | { kind: 'unbypass'; actor: Actor; at: number };

export interface Evidence {
  events: EvidenceEvent[];
  /**
   * Why the recorded decisions (/reject, /hold: src/pipeline/decisions.ts) could not be read, when
   * they could not: the gate then waits, since a standing rejection or hold may be among them.
   */
  decisionsUnknown?: string;
  /**
   * Per gate item name, per approved head other than the current one: whether approvals of that
   * head still count (policy/stale.ts). A head not listed counts as changed everywhere.
   */
  olderHeads?: Record<string, Record<string, HeadVerdict>>;
}

/** Whether approvals of an older head still count for an item; if not, the files that changed since, where known. */
export type HeadVerdict = { holds: true } | { holds: false; changed?: string[] };

/** An approval that counted for an older head and no longer does after a push. */
export interface DroppedApproval {
  by: string;
  /** The head it approved. */
  commitSha: string;
  /** The files that changed since and matter to the item; absent when the approved head's patches are not known. */
  changed?: string[];
}

export interface ApprovalRecord {
  by: string;
  at: number;
  via: 'review' | 'command';
  /** The head it was given on. */
  commitSha: string;
}

export type BypassRecord =
  | { kind: 'emergency'; by: string; justification: string; at: number }
  | { kind: 'maintenance_window'; window: string; approver?: string }
  | { kind: 'test_environment'; branch: string };

export interface CriterionStatus {
  name: string;
  ticked: boolean;
}

/** A checkpoint's status is one of these, never a set of booleans. */
export type ItemStatus =
  | { state: 'pending'; approvals: ApprovalRecord[]; missingApprovals: number; criteria: CriterionStatus[]; deadline: number; breached: boolean }
  | { state: 'approved'; approvals: ApprovalRecord[]; criteria: CriterionStatus[] }
  | { state: 'rejected'; by: string; reason: string; at: number }
  | { state: 'bypassed'; bypass: BypassRecord }
  | { state: 'not-required'; approvals: ApprovalRecord[]; criteria: CriterionStatus[] };

export interface ItemEvaluation {
  item: GateItem;
  status: ItemStatus;
  /** Approvals of older heads that a push made stale (absent when none). */
  dropped?: DroppedApproval[];
}

export interface Hold {
  by: string;
  at: number;
}

export type Verdict =
  | { state: 'pass'; summary: string }
  | { state: 'pending'; summary: string }
  | { state: 'fail'; summary: string };

export interface Evaluation {
  /** plan.workflow, but emergency only while an authorised bypass is in force. */
  workflow: Workflow;
  items: ItemEvaluation[];
  hold?: Hold;
  bypass?: Extract<BypassRecord, { kind: 'emergency' }>;
  verdict: Verdict;
}

export type { CheckpointPolicy, WorkflowReviewName };
