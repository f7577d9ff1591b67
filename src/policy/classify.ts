/**
 * classify(facts, config): which workflow a pull request needs and which checkpoints are
 * active, with the reason for each. Pure and deterministic; adding a file or a label never
 * lowers the result.
 */
import type { ApprovalRule, ResolvedConfig, TriggerPolicy } from '../config/types.js';
import { tickedCriteria } from './criteria.js';
import { MAX_LISTED_FILES, type ChangedFile, type GateItem, type Plan, type PrFacts, type Reason, type Workflow } from './types.js';

/** Titles are matched on their first 256 characters: the pattern is trusted, the title is not. */
export const TITLE_LIMIT = 256;
const EXAMPLES = 3;

interface SizeFacts {
  truncated: boolean;
  /** Paths touched outside low-risk paths, including the old side of renames. */
  riskyPaths: string[];
  /** Files and lines outside low-risk and size-excluded paths: what size thresholds compare. */
  riskyFiles: number;
  riskyLines: number;
  /** Lines of listed files left out by size_excluded_paths, to say so in the reasons. */
  uncountedLines: number;
}

/**
 * Vendored, generated and lock files (`classification.size_excluded_paths`) do not make a change
 * larger: a 1,300-line lockfile update is not an architecture change. A file moved into or out of
 * such a path still counts.
 */
function countsTowardSize(file: ChangedFile, config: ResolvedConfig): boolean {
  const excluded = config.classification.isSizeExcluded;
  return !excluded(file.path) || (file.previousPath !== undefined && !excluded(file.previousPath));
}

/** The approval rule alone, so that a gate item does not carry a policy's other fields. */
function approvalRuleOf({ approvers, approvals, timeoutMs, escalateAfterMs, dismissStaleApprovals }: ApprovalRule): ApprovalRule {
  return { approvers, approvals, timeoutMs, escalateAfterMs, dismissStaleApprovals };
}

function measure(facts: PrFacts, config: ResolvedConfig): SizeFacts {
  const truncated = facts.files.length >= MAX_LISTED_FILES || facts.changedFiles > facts.files.length;
  const isLowRisk = config.classification.isLowRisk;
  const risky = facts.files.filter((f) => !isLowRisk(f.path) || (f.previousPath !== undefined && !isLowRisk(f.previousPath)));
  const counted = risky.filter((f) => countsTowardSize(f, config));
  const linesOf = (files: ChangedFile[]) => files.reduce((sum, f) => sum + f.additions + f.deletions, 0);
  const listedLines = linesOf(counted);
  return {
    truncated,
    riskyPaths: risky.flatMap((f) => (f.previousPath === undefined ? [f.path] : [f.path, f.previousPath])),
    // Unlisted files cannot be shown to be low-risk, so a cut list counts everything.
    riskyFiles: truncated ? Math.max(facts.changedFiles, facts.files.length) : counted.length,
    riskyLines: truncated ? Math.max(facts.additions + facts.deletions, listedLines) : listedLines,
    uncountedLines: truncated ? 0 : linesOf(risky) - listedLines,
  };
}

/** For each trigger, the listed paths its globs match (the old side of renames too), in file order: one index lookup per path. */
function pathHits(facts: PrFacts, config: ResolvedConfig): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  for (const file of facts.files) {
    for (const path of [file.path, file.previousPath]) {
      if (path === undefined) continue;
      for (const trigger of config.classification.triggersMatching(path)) {
        const list = hits.get(trigger);
        if (list) list.push(path);
        else hits.set(trigger, [path]);
      }
    }
  }
  return hits;
}

function firedBy(trigger: TriggerPolicy, facts: PrFacts, size: SizeFacts, labels: Set<string>, hits: readonly string[]): Reason[] {
  const reasons: Reason[] = [];
  if (trigger.paths.length > 0) {
    if (hits.length > 0) {
      const shown = hits.slice(0, EXAMPLES).join(', ');
      reasons.push({ kind: 'path', detail: `${trigger.name}: ${shown}${hits.length > EXAMPLES ? ` and ${hits.length - EXAMPLES} more` : ''}` });
    } else if (size.truncated) {
      reasons.push({ kind: 'truncated', detail: `${trigger.name}: more files than GitHub lists, unlisted files may match ${trigger.paths.join(', ')}` });
    }
  }
  for (const label of trigger.labels) if (labels.has(label)) reasons.push({ kind: 'label', detail: `${trigger.name}: label "${label}"` });
  if (trigger.title?.test(facts.title.slice(0, TITLE_LIMIT))) reasons.push({ kind: 'title', detail: `${trigger.name}: title matches /${trigger.title.source}/` });
  if (trigger.minFiles !== undefined && size.riskyFiles >= trigger.minFiles) {
    reasons.push({ kind: 'size', detail: `${trigger.name}: ${size.riskyFiles} files ≥ ${trigger.minFiles}` });
  }
  if (trigger.minLines !== undefined && size.riskyLines >= trigger.minLines) {
    reasons.push({ kind: 'size', detail: `${trigger.name}: ${size.riskyLines} changed lines ≥ ${trigger.minLines}` });
  }
  if (trigger.revert && facts.isRevert) reasons.push({ kind: 'revert', detail: `${trigger.name}: a revert pull request` });
  return reasons;
}

export function classify(facts: PrFacts, config: ResolvedConfig): Plan {
  const size = measure(facts, config);
  const labels = new Set(facts.labels.map((l) => l.toLowerCase()));
  const hits = pathHits(facts, config);

  const items: GateItem[] = [];
  for (const checkpoint of config.checkpoints) {
    const reasons = checkpoint.triggers.flatMap((name) => {
      const trigger = config.triggers[name];
      return trigger ? firedBy(trigger, facts, size, labels, hits.get(name) ?? []) : [];
    });
    if (reasons.length === 0) continue;
    items.push({
      name: checkpoint.name,
      kind: 'checkpoint',
      required: checkpoint.required,
      ...approvalRuleOf(checkpoint),
      criteria: checkpoint.criteria,
      allowBypass: checkpoint.allowBypass,
      reasons,
    });
  }

  const maxPeerLines = config.classification.peerReviewMaxLines;
  const uncounted = size.uncountedLines > 0 ? ` (not counting ${size.uncountedLines} lines of vendored, generated or lock files)` : '';
  let riskWorkflow: Workflow;
  const workflowReasons: Reason[] = [];
  if (items.length > 0) {
    riskWorkflow = 'expert';
    workflowReasons.push(...items.map((i): Reason => ({ kind: i.reasons[0]!.kind, detail: `checkpoint ${i.name} is active` })));
  } else if (size.truncated) {
    riskWorkflow = 'expert';
    workflowReasons.push({ kind: 'truncated', detail: `${facts.changedFiles} files: more than GitHub lists (${MAX_LISTED_FILES}), never lower than expert` });
  } else if (size.riskyLines >= maxPeerLines) {
    riskWorkflow = 'expert';
    workflowReasons.push({ kind: 'size', detail: `${size.riskyLines} changed lines ≥ ${maxPeerLines} (peer review is for smaller changes)${uncounted}` });
  } else if (size.riskyPaths.length === 0) {
    riskWorkflow = 'automatic';
    workflowReasons.push({ kind: 'low-risk', detail: facts.files.length === 0 ? 'no files changed' : 'only low-risk paths changed and no trigger fired' });
  } else {
    riskWorkflow = 'peer';
    workflowReasons.push({ kind: 'size', detail: `${size.riskyLines} changed lines < ${maxPeerLines} in ${size.riskyFiles} file(s), no trigger fired${uncounted}` });
  }

  if (riskWorkflow !== 'automatic' && !items.some((i) => i.required)) {
    const review = config.workflows[riskWorkflow === 'peer' ? 'peer_review' : 'expert_review'];
    items.push({
      name: review.name,
      kind: 'workflow',
      required: true,
      ...approvalRuleOf(review),
      criteria: [],
      allowBypass: ['emergency', 'maintenance_window', 'test_environment'],
      reasons: [],
    });
  }

  const emergencyRequested = labels.has(config.bypass.emergency.label);
  const testBranch = config.bypass.isTestBranch(facts.baseRef);
  if (testBranch) workflowReasons.push({ kind: 'branch', detail: `base branch ${facts.baseRef} is a test environment` });
  if (emergencyRequested) workflowReasons.push({ kind: 'label', detail: `label "${config.bypass.emergency.label}" asks for an emergency bypass` });
  return {
    riskWorkflow,
    workflow: emergencyRequested ? 'emergency' : riskWorkflow,
    workflowReasons,
    items,
    testBranch,
    emergencyRequested,
    changedLines: size.riskyLines,
    pr: { number: facts.number, author: facts.author, headSha: facts.headSha, baseRef: facts.baseRef, startedAt: facts.startedAt, pushers: facts.pushers ?? [] },
    tickedCriteria: tickedCriteria(facts.body),
    emergency: config.bypass.emergency,
    windows: config.bypass.windows,
  };
}
