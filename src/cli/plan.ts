/**
 * `hitl plan`: the workflow, checkpoints, criteria and escalation schedule HITL would apply to
 * the diff between two refs of a local checkout. Like the app, it reads `.hitl.yml` from the
 * base, never from the head, unless `--config FILE` names a draft. Offline: git only.
 */
import { parseArgs } from 'node:util';
import { classify } from '../policy/classify.js';
import { factsOf } from '../policy/facts.js';
import { changedFiles, commitSubject, defaultBase, resolveCommit } from './git.js';
import { EXIT, type CliIo } from './io.js';
import { planReport, renderPlanMarkdown } from './plan-report.js';
import { loadPolicy } from './policy-file.js';
import { usageError } from './usage.js';

export async function runPlan(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        base: { type: 'string' },
        head: { type: 'string', default: 'HEAD' },
        label: { type: 'string', multiple: true, default: [] },
        title: { type: 'string' },
        config: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message, 'plan');
  }
  const { head, label: labels, json } = args.values;
  const base = args.values.base ?? defaultBase(io.cwd);
  const baseCommit = resolveCommit(io.cwd, base);
  if (!baseCommit.ok) return usageError(io, baseCommit.error, 'plan');
  const headCommit = resolveCommit(io.cwd, head);
  if (!headCommit.ok) return usageError(io, headCommit.error, 'plan');

  const loaded = loadPolicy(io, { ref: base, commit: baseCommit.value }, args.values.config, 'plan');
  if (!loaded.ok) return loaded.exit;

  const files = changedFiles(io.cwd, baseCommit.value, headCommit.value);
  if (!files.ok) return usageError(io, files.error, 'plan');
  const title = args.values.title ?? commitSubject(io.cwd, headCommit.value);
  const facts = factsOf(
    {
      number: 0,
      title,
      body: '',
      author: '',
      authorIsBot: false,
      // The branch name a pull request would target, for the test-branch bypass.
      baseRef: base.replace(/^(refs\/remotes\/)?origin\//, ''),
      headSha: headCommit.value,
      draft: false,
      labels,
    },
    files.value,
    io.now(),
  );
  const plan = classify(facts, loaded.config);
  const report = planReport(plan, loaded.config, {
    base: { ref: base, commit: baseCommit.value },
    head: { ref: head, commit: headCommit.value },
    configSource: loaded.source,
    title,
    labels,
    files: facts.changedFiles,
    additions: facts.additions,
    deletions: facts.deletions,
  });
  io.out(json ? JSON.stringify(report, null, 2) : renderPlanMarkdown(report));
  return EXIT.ok;
}
