/**
 * What `hitl backtest` shows: the policy applied to every merged change of a history, summed up
 * (workflow shares, checkpoints and their reasons, review requests per role and week, the largest
 * changes) and, with a second policy, every change the two would treat differently. Pure: the
 * changes come in, the report goes out; backtest.ts reads git.
 */
import { compileGlobs } from '../config/patterns.js';
import type { ResolvedConfig } from '../config/types.js';
import { classify } from '../policy/classify.js';
import { differenceOf, outcomeOf, type Difference as PlanDifference, type Outcome } from '../policy/difference.js';
import { factsOf } from '../policy/facts.js';
import type { Plan, PrFacts, Reason } from '../policy/types.js';
import type { ChangeKind, MergedChange } from './history.js';
import { approverNamesOf, cell, short } from './plan-report.js';

const WEEK_MS = 7 * 86_400_000;
const LARGEST = 10;
const TOP_REASONS = 3;
const RISK_WORKFLOWS = ['automatic', 'peer', 'expert'] as const;
type RiskWorkflow = (typeof RISK_WORKFLOWS)[number];

export const LABELS_NOTE = 'Labels are not in git: label triggers and the emergency label never fire here, so label-only checkpoints are undercounted and bypass usage cannot be replayed.';

export interface Policy {
  config: ResolvedConfig;
  /** Where it came from: ".hitl.yml at origin/main", a file name, or the built-in defaults. */
  source: string;
}

export interface BacktestInput {
  changes: readonly MergedChange[];
  policy: Policy;
  against?: Policy;
  /** The branch as given (origin/HEAD) and the name a pull request would target (main). */
  branch: { ref: string; name: string; commit: string };
  /** `text` says it for people: "in the last 90d", "since 2026-01-01". */
  window: { since: number; until: number; text: string };
}

export interface Difference extends PlanDifference {
  commit: string;
  title: string;
  number?: number;
}

export interface LargeChange extends Outcome {
  commit: string;
  title: string;
  number?: number;
  files: number;
  lines: number;
  /** Lines the size thresholds counted (outside low-risk and size-excluded paths). */
  countedLines: number;
}

export interface PolicySummary {
  workflows: Record<RiskWorkflow, number>;
  checkpoints: Record<string, number>;
  /** Per checkpoint, what fired it most often and in how many changes. */
  reasons: Record<string, Array<{ reason: string; changes: number }>>;
  /** Review requests per approver role and week of the window (one per gate item that names the role). */
  requestsPerWeek: Record<string, number>;
}

export interface BacktestReport extends PolicySummary {
  branch: string;
  commit: string;
  since: string;
  until: string;
  window: string;
  config: string;
  changes: number;
  kinds: Record<ChangeKind, number>;
  largest: LargeChange[];
  notes: string[];
  /** The same summary under the --against policy. */
  against?: PolicySummary & { config: string };
  differences?: Difference[];
}

/** The facts a pull request with this change would have had; labels are unknown to git. */
function factsOfChange(change: MergedChange, baseRef: string): PrFacts {
  return factsOf(
    { number: change.number ?? 0, title: change.title, body: change.body, author: change.author, authorIsBot: false, baseRef, headSha: change.commit, draft: false, labels: [] },
    change.files,
    change.at,
  );
}

/** Names each glob of a trigger that a change's paths hit, so reasons read "paths **\/go.sum" and can be counted. */
class PatternHits {
  private readonly compiled = new Map<string, Array<[string, (path: string) => boolean]>>();
  constructor(private readonly config: ResolvedConfig) {}

  hits(triggerName: string, paths: readonly string[]): string[] {
    const trigger = this.config.triggers[triggerName];
    if (!trigger) return [];
    let matchers = this.compiled.get(triggerName);
    if (!matchers) {
      matchers = trigger.paths.map((glob) => [glob, compileGlobs([glob], trigger.pathsIgnore)]);
      this.compiled.set(triggerName, matchers);
    }
    return matchers.filter(([, matches]) => paths.some(matches)).map(([glob]) => glob);
  }
}

/** A reason as a countable key: the trigger name and the changing figures left out. */
function reasonKeys(reason: Reason, paths: readonly string[], patterns: PatternHits): string[] {
  const colon = reason.detail.indexOf(': ');
  const trigger = colon < 0 ? '' : reason.detail.slice(0, colon);
  const what = colon < 0 ? reason.detail : reason.detail.slice(colon + 2);
  if (reason.kind === 'path') return patterns.hits(trigger, paths).map((glob) => `paths ${glob}`);
  if (reason.kind === 'size') return [what.replace(/^\d+ /, '')];
  return [what];
}

class Summary {
  readonly workflows: Record<RiskWorkflow, number> = { automatic: 0, peer: 0, expert: 0 };
  readonly checkpoints: Record<string, number>;
  private readonly reasons = new Map<string, Map<string, number>>();
  private readonly requests = new Map<string, number>();
  private readonly patterns: PatternHits;

  constructor(config: ResolvedConfig) {
    this.checkpoints = Object.fromEntries(config.checkpoints.map((c) => [c.name, 0]));
    this.patterns = new PatternHits(config);
  }

  add(plan: Plan, facts: PrFacts): void {
    this.workflows[plan.riskWorkflow as RiskWorkflow]++;
    const paths = facts.files.flatMap((f) => (f.previousPath === undefined ? [f.path] : [f.path, f.previousPath]));
    for (const item of plan.items) {
      for (const role of approverNamesOf(item)) this.requests.set(role, (this.requests.get(role) ?? 0) + 1);
      if (item.kind !== 'checkpoint') continue;
      this.checkpoints[item.name] = (this.checkpoints[item.name] ?? 0) + 1;
      const counts = this.reasons.get(item.name) ?? new Map<string, number>();
      this.reasons.set(item.name, counts);
      for (const key of new Set(item.reasons.flatMap((r) => reasonKeys(r, paths, this.patterns)))) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }

  result(windowMs: number): PolicySummary {
    const weeks = Math.max(windowMs / WEEK_MS, 1 / 7);
    const byCount = <T>(entries: Iterable<[string, number]>, map: (key: string, n: number) => T) =>
      [...entries].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key, n]) => map(key, n));
    return {
      workflows: this.workflows,
      checkpoints: this.checkpoints,
      reasons: Object.fromEntries([...this.reasons].map(([name, counts]) => [name, byCount(counts, (reason, changes) => ({ reason, changes }))])),
      requestsPerWeek: Object.fromEntries(byCount(this.requests, (role, n) => [role, Math.round((n / weeks) * 100) / 100] as const)),
    };
  }
}

/** Applies the policy (and the --against one) to every change; `onProgress` hears each one done. */
export function backtest(input: BacktestInput, onProgress?: (done: number) => void): BacktestReport {
  const { changes, policy, against, branch, window } = input;
  const summary = new Summary(policy.config);
  const againstSummary = against && new Summary(against.config);
  const kinds: Record<ChangeKind, number> = { merge: 0, squash: 0, commit: 0 };
  const sized: LargeChange[] = [];
  const differences: Difference[] = [];
  changes.forEach((change, index) => {
    const facts = factsOfChange(change, branch.name);
    const plan = classify(facts, policy.config);
    const outcome = outcomeOf(plan);
    kinds[change.kind]++;
    summary.add(plan, facts);
    sized.push({ commit: change.commit, title: change.title, number: change.number, files: facts.changedFiles, lines: facts.additions + facts.deletions, countedLines: plan.changedLines, ...outcome });
    if (against && againstSummary) {
      const otherPlan = classify(facts, against.config);
      againstSummary.add(otherPlan, facts);
      const difference = differenceOf(plan, otherPlan);
      if (difference) differences.push({ commit: change.commit, title: change.title, number: change.number, ...difference });
    }
    onProgress?.(index + 1);
  });
  const windowMs = window.until - window.since;
  return {
    branch: branch.ref,
    commit: branch.commit,
    since: new Date(window.since).toISOString(),
    until: new Date(window.until).toISOString(),
    window: window.text,
    config: policy.source,
    changes: changes.length,
    kinds,
    ...summary.result(windowMs),
    largest: sized.sort((a, b) => b.lines - a.lines || a.commit.localeCompare(b.commit)).slice(0, LARGEST),
    notes: [LABELS_NOTE, 'Titles come from commit messages (a GitHub merge commit carries the PR title in its body; a squash commit ends in "(#N)").'],
    ...(against && againstSummary ? { against: { config: against.source, ...againstSummary.result(windowMs) }, differences } : {}),
  };
}

const percent = (n: number, of: number) => (of === 0 ? '–' : `${Math.round((n / of) * 1000) / 10}%`);
const changeName = (c: { commit: string; number?: number; title: string }) => `${short(c.commit)}${c.number === undefined ? '' : ` #${c.number}`} ${cell(c.title)}`;
const outcomeText = (o: Outcome) => `${o.workflow}${o.checkpoints.length > 0 ? `: ${o.checkpoints.join(', ')}` : ''}`;

function summaryTables(s: PolicySummary, changes: number): string[] {
  const out: string[] = ['| Workflow | Changes | Share |', '|---|---|---|'];
  for (const workflow of RISK_WORKFLOWS) out.push(`| ${workflow} | ${s.workflows[workflow]} | ${percent(s.workflows[workflow], changes)} |`);
  const human = s.workflows.peer + s.workflows.expert;
  out.push('', `Approval load: ${percent(human, changes)} of the changes (${human}) would have waited for a person.`, '');
  out.push('### Checkpoints', '', '| Checkpoint | Changes | Share | Top reasons |', '|---|---|---|---|');
  for (const [name, n] of Object.entries(s.checkpoints)) {
    const top = (s.reasons[name] ?? []).slice(0, TOP_REASONS).map((r) => `${cell(r.reason)} (${r.changes})`).join(', ');
    out.push(`| \`hitl/${name}\` | ${n} | ${percent(n, changes)} | ${top || '–'} |`);
  }
  out.push('', '### Review requests per week', '', '| Role | Requests per week |', '|---|---|');
  for (const [role, perWeek] of Object.entries(s.requestsPerWeek)) out.push(`| ${cell(role)} | ${perWeek} |`);
  if (Object.keys(s.requestsPerWeek).length === 0) out.push('| – | 0 |');
  return out;
}

export function renderBacktestMarkdown(report: BacktestReport): string {
  const out: string[] = [];
  out.push(`## HITL backtest: ${report.changes} change(s) merged into \`${report.branch}\` ${report.window}`, '');
  out.push(
    `${report.since.slice(0, 10)} to ${report.until.slice(0, 10)}, up to ${short(report.commit)}: ${report.kinds.merge} merge commit(s), ` +
      `${report.kinds.squash} squash commit(s), ${report.kinds.commit} direct commit(s) on the first-parent line. Policy: ${report.config}.`,
    '',
    ...report.notes.map((n) => `> ${n}`),
    '',
  );
  out.push(...summaryTables(report, report.changes), '');
  out.push('### Largest changes', '', '| Change | Lines (counted) | Files | Workflow |', '|---|---|---|---|');
  for (const c of report.largest) out.push(`| ${changeName(c)} | ${c.lines} (${c.countedLines}) | ${c.files} | ${cell(outcomeText(c))} |`);
  if (report.against && report.differences) {
    out.push('', `## Against ${report.against.config}`, '');
    out.push(...summaryTables(report.against, report.changes), '');
    out.push(`### Differences: ${report.differences.length} of ${report.changes} change(s)`, '');
    if (report.differences.length > 0) {
      out.push('| Change | Before | After | Why |', '|---|---|---|---|');
      for (const d of report.differences) out.push(`| ${changeName(d)} | ${cell(outcomeText(d.before))} | ${cell(outcomeText(d.after))} | ${cell(d.why.join('; '))} |`);
    } else {
      out.push('No past change would be treated differently.');
    }
  }
  return `${out.join('\n')}\n`;
}
