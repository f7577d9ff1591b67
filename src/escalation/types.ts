/**
 * The escalation engine's contract with the rest of the app. The PR gate tells it which gate
 * items are pending (ensure) and which are resolved (cancel); the engine asks back, when a timer
 * fires, whether the item is still pending and what is missing (the GatePort), so it never
 * escalates on a stale picture.
 */
import type { PrAddress } from '../github/address.js';

/** An item on a pull request or an issue (`number`). */
export interface EscalationTarget extends PrAddress {
  /** Checkpoint or workflow review name, or "build/<workflow id>" for a failing default branch. */
  item: string;
}

/** One rung of the ladder: how long the item stays at this level before the next one fires. */
export interface EscalationLevel {
  level: number;
  timeoutMs: number;
}

/** The repository's `notify`: which server channels hear about which levels (never an address). */
export interface NotifySettings {
  channels: Array<'slack' | 'webhook'>;
  fromLevel: number;
}

/** What the item is about decides level 1: a pull request re-requests review, a build re-runs its failed jobs. */
export type EscalationSubject = { kind: 'pull_request' } | { kind: 'build'; runId: number; workflowName: string };

export interface EnsureInput extends EscalationTarget {
  /** When the item became pending (ms). */
  since: number;
  /** SLA deadline (ms). */
  deadline: number;
  /** When the climb starts (since + escalate_after). */
  escalateAt: number;
  /** From ResolvedConfig.escalation (see levelsOf); empty means the built-in ladder. */
  levels: EscalationLevel[];
  notify: NotifySettings;
  /** Defaults to a pull request. */
  subject?: EscalationSubject;
}

export interface PendingItem extends EscalationTarget {
  since: number;
  deadline: number;
  escalateAt: number;
  /** 0 before level 1 fired; above the last level each further step is a reminder. */
  level: number;
  /** When the next level (or reminder) is due. */
  nextAt: number;
  slaBreached: boolean;
  acknowledgedBy?: string;
  acknowledgedUntil?: number;
}

export interface Diagnostics {
  author: string;
  /** Logins and "@org/team" names that could resolve the item. */
  pendingApprovers: string[];
  /** Roles to mention per level (level 3: technical lead, level 4: management), as GitHub mentions. */
  roleMentions: Record<number, string[]>;
  missing: string[];
  /** Exact commands that would resolve it, e.g. "/approve security_review". */
  commands: string[];
  headSha: string;
}

export type GateAnswer = { pending: false } | { pending: true; diagnostics: Diagnostics };

export interface GatePort {
  /** Re-evaluates the item now, through the same path as a webhook. */
  check(target: EscalationTarget): Promise<GateAnswer>;
}

export interface EscalationPort {
  /** Starts or keeps the climb for a pending item; idempotent across processes and redeliveries. */
  ensure(item: EnsureInput): Promise<void>;
  /** Stops every timer of a resolved item at once. */
  cancel(target: EscalationTarget, reason: string): Promise<void>;
  /** `/escalate`: the next level now. Undefined when the item is not pending. */
  escalateNow(target: EscalationTarget, by: string, reason: string): Promise<PendingItem | undefined>;
  /** `/ack`: pause the climb for one level's interval. Undefined when the item is not pending. */
  acknowledge(target: EscalationTarget, by: string): Promise<PendingItem | undefined>;
  /** Pending items across repositories, for the dashboard and the check summary. */
  listPending(installationId?: number): Promise<PendingItem[]>;
}

/** What the check summary shows of the climb: one read of the named items, no GitHub call. */
export interface PendingReader {
  /** The pending state of these items (those not pending are left out), in one round trip. */
  pendingFor(targets: readonly EscalationTarget[]): Promise<PendingItem[]>;
}

/**
 * Puts an item straight at a level, creating it first when nothing was pending: a compliance
 * violation is found after the merge and goes to the technical lead (level 3) at once.
 */
export interface DirectEscalation {
  escalateTo(item: EnsureInput, level: number, by: string, reason: string): Promise<PendingItem | undefined>;
}
