/**
 * How a change fares under two policies: the workflow and checkpoints each gives it and, where
 * they differ, why. One answer for `hitl backtest --against` (past changes) and for the
 * policy-diff of a pull request that changes `.hitl.yml` (the repository's other open PRs).
 */
import { CONFIG_FILE, type ConfigIssue, type ResolvedConfig } from '../config/types.js';
import { classify } from './classify.js';
import type { ChangedFile, Plan, PrFacts, Workflow } from './types.js';

export interface Outcome {
  /** The workflow the risk calls for (an emergency label aside). */
  workflow: Workflow;
  checkpoints: string[];
}

export interface Difference {
  before: Outcome;
  after: Outcome;
  /** Per checkpoint gained or lost, and for a changed workflow, the rules behind it. */
  why: string[];
}

export const outcomeOf = (plan: Plan): Outcome => ({
  workflow: plan.riskWorkflow,
  checkpoints: plan.items.filter((i) => i.kind === 'checkpoint').map((i) => i.name),
});

const sameOutcome = (a: Outcome, b: Outcome) => a.workflow === b.workflow && a.checkpoints.join() === b.checkpoints.join();

const detailsOf = (item: Plan['items'][number]) => item.reasons.map((r) => r.detail).join('; ');

/** The difference between two plans of one change, or undefined when both gate it alike. */
export function differenceOf(before: Plan, after: Plan): Difference | undefined {
  const was = outcomeOf(before);
  const is = outcomeOf(after);
  if (sameOutcome(was, is)) return undefined;
  const named = (plan: Plan) => new Map(plan.items.filter((i) => i.kind === 'checkpoint').map((i) => [i.name, i]));
  const wasItems = named(before);
  const isItems = named(after);
  const why: string[] = [];
  for (const [name, item] of isItems) if (!wasItems.has(name)) why.push(`+ ${name}: ${detailsOf(item)}`);
  for (const [name, item] of wasItems) if (!isItems.has(name)) why.push(`− ${name}: no longer fires (before: ${detailsOf(item)})`);
  if (was.workflow !== is.workflow) why.push(`${was.workflow} → ${is.workflow}: ${after.workflowReasons.map((r) => r.detail).join('; ')}`);
  return { before: was, after: is, why };
}

/** The pull request changes (adds, edits, removes or renames) the repository's `.hitl.yml`. */
export const changesConfig = (files: readonly ChangedFile[]): boolean => files.some((f) => f.path === CONFIG_FILE || f.previousPath === CONFIG_FILE);

export interface PullDifference extends Difference {
  number: number;
  title: string;
}

/** What a pull request that changes `.hitl.yml` shows about the repository's other open pull requests. */
export type PolicyDiff =
  | { kind: 'invalid'; errors: ConfigIssue[] }
  /** The other pull requests' facts could not be read (Redis did not answer). */
  | { kind: 'unavailable' }
  | {
      kind: 'compared';
      /** The base branch the file governs: only pull requests into it are compared. */
      baseRef: string;
      /** The file is the organisation's defaults (its `.github` repository): other repositories' PRs are not compared. */
      orgDefaults?: boolean;
      compared: number;
      /** Those that the proposed file would gate differently, by number. */
      differences: PullDifference[];
    };

/**
 * The open pull requests into `baseRef` (as their last evaluations saw them) that `proposed` would
 * gate differently from `current`, the config of that base today.
 */
export function policyDiff(pulls: readonly PrFacts[], baseRef: string, current: ResolvedConfig, proposed: ResolvedConfig): Extract<PolicyDiff, { kind: 'compared' }> {
  const into = pulls.filter((p) => p.baseRef === baseRef).sort((a, b) => a.number - b.number);
  const differences: PullDifference[] = [];
  for (const facts of into) {
    const difference = differenceOf(classify(facts, current), classify(facts, proposed));
    if (difference) differences.push({ number: facts.number, title: facts.title, ...difference });
  }
  return { kind: 'compared', baseRef, compared: into.length, differences };
}
