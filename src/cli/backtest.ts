/**
 * `hitl backtest [--since 90d] [--branch REF] [--config FILE] [--against FILE] [--json]`: the
 * policy over every change merged into the default branch in a window of a local checkout.
 * Offline and read-only: a few git processes whatever the history's length, no GitHub, no Redis.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.js';
import { parseInstant } from './audit-export.js';
import { backtest, renderBacktestMarkdown } from './backtest-report.js';
import { branchOf, resolveCommit } from './git.js';
import { countMergedChanges, readMergedChanges } from './history.js';
import { EXIT, type CliIo } from './io.js';
import { loadPolicy } from './policy-file.js';
import { usageError } from './usage.js';

/** Below this many changes a run is over before a bar would be read. */
const PROGRESS_FROM = 200;
const BAR_WIDTH = 30;

function bar(label: string, done: number, total: number): string {
  const filled = Math.min(BAR_WIDTH, Math.round((done / Math.max(total, 1)) * BAR_WIDTH));
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}`;
}

/** The default branch of a clone (origin/HEAD), else the checked-out branch. */
function defaultBranch(cwd: string): string {
  return resolveCommit(cwd, 'origin/HEAD').ok ? 'origin/HEAD' : 'HEAD';
}

export async function runBacktest(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        since: { type: 'string', default: '90d' },
        branch: { type: 'string' },
        config: { type: 'string' },
        against: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message, 'backtest');
  }
  const { since: sinceText, config: draft, against: againstFile, json } = args.values;
  const until = io.now();
  const since = parseInstant('--since', sinceText, until, true);
  if (typeof since === 'string') return usageError(io, since, 'backtest');
  const ref = args.values.branch ?? defaultBranch(io.cwd);
  const commit = resolveCommit(io.cwd, ref);
  if (!commit.ok) return usageError(io, commit.error, 'backtest');
  const at = { ref, commit: commit.value };

  const policy = loadPolicy(io, at, draft, 'backtest');
  if (!policy.ok) return policy.exit;
  const against = againstFile === undefined ? undefined : loadPolicy(io, at, againstFile, 'backtest');
  if (against && !against.ok) return against.exit;

  const total = io.status ? countMergedChanges(io.cwd, commit.value, since) : undefined;
  const show = io.status && total !== undefined && total >= PROGRESS_FROM ? io.status : undefined;
  const read = await readMergedChanges(io.cwd, commit.value, since, show && ((n) => show(bar('reading history', n, total!))));
  if (!read.ok) {
    show?.('');
    io.err(`hitl backtest: ${read.error}`);
    return EXIT.invalid;
  }
  const changes = read.changes;
  const branch = branchOf(io.cwd, ref);
  const report = backtest(
    {
      changes,
      policy: { config: policy.config, source: policy.source },
      against: against?.ok ? { config: against.config, source: against.source } : undefined,
      // The name a pull request targets, for bypass.test_environments.branches.
      branch: { ref: branch, name: branch.replace(/^(refs\/remotes\/)?origin\//, ''), commit: commit.value },
      window: { since, until, text: parseDuration(sinceText).ok ? `in the last ${sinceText}` : `since ${sinceText}` },
    },
    show && ((n) => (n % 50 === 0 || n === changes.length) && show(bar('classifying', n, changes.length))),
  );
  show?.('');
  io.out(json ? JSON.stringify(report, null, 2) : renderBacktestMarkdown(report));
  return EXIT.ok;
}
