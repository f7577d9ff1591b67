import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli, SUBCOMMANDS } from '../../src/cli/commands.js';
import { parseNumstat } from '../../src/cli/git.js';
import type { PlanReport } from '../../src/cli/plan-report.js';
import { T0 } from '../helpers/facts.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function hitl(cwd: string, ...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), cwd, now: () => T0 });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const BASE_CONFIG = `roles:
  payments_team: ["@acme/payments"]
  security_team: ["@acme/security", "alice"]
triggers:
  money_movement: { paths: ["src/payments/**"] }
checkpoints:
  payments_review:
    trigger: money_movement
    approver: payments_team
    approvals: 2
    criteria: [ledger_reconciled, idempotency_checked]
    timeout: 8h
    escalate_after: 1h
`;

let repo: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
/** Writes the files and commits exactly them. */
const commit = (message: string, files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) write(path, text);
  git('add', '--', ...Object.keys(files));
  git('commit', '-qm', message);
};
/** Makes `branch` (from `start`, or with no history), commits to it, and plans its last commit. */
async function planLastCommitOf(branch: string, start: string | undefined, commits: Array<[string, Record<string, string>]>): Promise<Run> {
  if (start === undefined) {
    git('checkout', '-q', '--orphan', branch);
    git('rm', '-rq', '--cached', '.');
  } else {
    git('checkout', '-qb', branch, start);
  }
  for (const [message, files] of commits) commit(message, files);
  try {
    return await hitl(repo, 'plan', '--base', `${branch}~1`, '--head', branch);
  } finally {
    git('checkout', '-qf', 'feature');
  }
}
const lines = (count: number, word = 'line') => Array.from({ length: count }, (_, i) => `${word} ${i}`).join('\n') + '\n';

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'hitl-cli-'));
  git('init', '-q', '-b', 'main');
  commit('initial', { '.hitl.yml': BASE_CONFIG, 'src/auth/session.ts': lines(40), 'src/payments/charge.ts': lines(10), 'README.md': '# demo\n' });

  git('checkout', '-qb', 'feature');
  write('src/payments/charge.ts', lines(30, 'charge'));
  mkdirSync(join(repo, 'src/legacy'));
  git('mv', 'src/auth/session.ts', 'src/legacy/session.ts');
  // The head weakens its own gate: the plan must not listen.
  write('.hitl.yml', 'checkpoints:\n  payments_review:\n    required: false\n');
  git('add', '-A');
  git('commit', '-qm', 'Move the session code and round charges');

  git('checkout', '-q', 'main');
  commit('main moves on after the fork', { 'src/payments/refund.ts': lines(5) });
  git('checkout', '-q', 'feature');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('hitl plan on a local checkout', () => {
  it('prints the workflow, checkpoints, approvers, criteria and escalation from the base\'s config', async () => {
    const run = await hitl(repo, 'plan', '--base', 'main', '--head', 'feature');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('## HITL plan: expert review (`hitl:expert-review`)');
    expect(run.out).toContain('Policy: .hitl.yml at main.');
    expect(run.out).toContain('| `hitl/payments_review` | payments_team | 2 | 8h | yes |');
    expect(run.out).toContain('| `hitl/security_review` | security_team | 1 | 1d | yes |');
    // The head edits .hitl.yml itself, which the built-in security trigger watches; the renamed file counts by its old path.
    expect(run.out).toContain('- **security_review** because security_related_change: .hitl.yml, src/auth/session.ts');
    expect(run.out).toContain('- [ ] ledger_reconciled\n- [ ] idempotency_checked');
    // Every duration in the form .hitl.yml accepts, so it can be pasted into escalate_after.
    expect(run.out).toContain('| payments_review | after 1h | after 65m | after 95m (technical_lead) | after 215m (management) | reminder every 4h |');
  });

  it('diffs like GitHub\'s three-dot compare: what main did after the fork is not in the plan', async () => {
    const report = JSON.parse((await hitl(repo, 'plan', '--base', 'main', '--head', 'feature', '--json')).out) as PlanReport;
    expect(report.files).toBe(3);
    expect(report.items.map((i) => i.name)).toEqual(['security_review', 'payments_review']);
    expect(report.items[1]!.triggeredBy).toEqual(['money_movement: src/payments/charge.ts']);
    expect(report.items[1]).toMatchObject({ approvers: ['payments_team'], approvals: 2, slaMs: 8 * 3_600_000, criteria: ['ledger_reconciled', 'idempotency_checked'] });
    expect(report.items[1]!.escalation.map((s) => s.afterMs / 60_000)).toEqual([60, 65, 95, 215]);
    expect(report.title).toBe('Move the session code and round charges');
  });

  it('adds the checkpoints of --label and --title', async () => {
    const report = JSON.parse((await hitl(repo, 'plan', '--base', 'main', '--head', 'feature', '--label', 'performance', '--label', 'rollback', '--title', 'feat!: drop v1', '--json')).out) as PlanReport;
    expect(report.items.map((i) => i.name)).toEqual(['breaking_change', 'security_review', 'performance_impact', 'rollback_decision', 'payments_review']);
    expect(report.labels).toEqual(['performance', 'rollback']);
  });

  it('shows an emergency request as a request: the gate in force until a bypass is, and who can make it take effect', async () => {
    const run = await hitl(repo, 'plan', '--base', 'main', '--label', 'emergency');
    expect(run.out).toContain('## HITL plan: expert review (`hitl:expert-review`)');
    expect(run.out).not.toContain('## HITL plan: emergency');
    expect(run.out).toContain('The `emergency` label asks for an emergency bypass; until one is in force, the gate below applies.');
    expect(run.out).toContain('It takes effect when on_call_engineer or technical_lead (not the author) comments `/bypass <justification>`');
    const report = JSON.parse((await hitl(repo, 'plan', '--base', 'main', '--label', 'emergency', '--json')).out) as PlanReport;
    expect(report).toMatchObject({ workflow: 'expert', label: 'hitl:expert-review', emergency: { requested: true, allowAuthor: false } });
  });

  it('plans with a draft file instead of the base\'s .hitl.yml (--config), without committing it', async () => {
    write('draft.yml', BASE_CONFIG.replace('approvals: 2', 'approvals: 3').replace('timeout: 8h', 'timeout: 36_hours'));
    try {
      const run = await hitl(repo, 'plan', '--base', 'main', '--head', 'feature', '--config', 'draft.yml');
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toContain('Policy: draft.yml (draft).');
      expect(run.out).toContain('| `hitl/payments_review` | payments_team | 3 | 36h | yes |');
      expect(git('status', '--porcelain', '--', 'draft.yml')).toBe('?? draft.yml\n');
      write('draft.yml', 'checkpoints:\n  payments_review: { approvals: 0 }\n');
      const invalid = await hitl(repo, 'plan', '--base', 'main', '--head', 'feature', '--config', 'draft.yml');
      expect(invalid).toMatchObject({ code: 1, out: '' });
      expect(invalid.err).toContain('draft.yml:2:22: error: checkpoints.payments_review.approvals');
      expect((await hitl(repo, 'plan', '--config', 'no-such.yml')).code).toBe(2);
    } finally {
      rmSync(join(repo, 'draft.yml'));
    }
  });

  it('defaults to the parent commit as base and HEAD as head when there is no upstream', async () => {
    const report = JSON.parse((await hitl(repo, 'plan', '--json')).out) as PlanReport;
    expect(report.base.ref).toBe('HEAD~1');
    expect(report.head.commit).toBe(git('rev-parse', 'feature').trim());
  });

  it('uses the built-in defaults when the base has no .hitl.yml', async () => {
    const run = await planLastCommitOf('bare', undefined, [
      ['docs only', { 'docs/guide.md': 'hello\n' }],
      ['more docs', { 'docs/more.md': 'more\n' }],
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('## HITL plan: automatic approval (`hitl:automatic`)');
    expect(run.out).toContain('Policy: built-in defaults (no .hitl.yml at bare~1).');
    expect(run.out).toContain('No human checkpoint is needed');
  });

  it('fails with exit 1 and the errors when the base\'s config is invalid', async () => {
    const run = await planLastCommitOf('broken', 'main', [
      ['break the config', { '.hitl.yml': 'checkpoints:\n  payments_review:\n    timeout: someday\n' }],
      ['a change', { 'src/app.ts': 'x\n' }],
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('broken~1:.hitl.yml:3:5: error: checkpoints.payments_review.timeout: "someday" is not a duration');
  });

  it('refuses unknown refs, options that look like refs, and unknown flags with exit 2', async () => {
    expect((await hitl(repo, 'plan', '--base', 'no-such-branch')).code).toBe(2);
    const optionLike = await hitl(repo, 'plan', '--base=--output=/tmp/hitl-pwned');
    expect(optionLike.code).toBe(2);
    expect(optionLike.err).toContain('"--output=/tmp/hitl-pwned" is not a commit');
    expect((await hitl(repo, 'plan', '--frobnicate')).code).toBe(2);
  });
});

describe('hitl validate', () => {
  it('exits 0 for a valid file and names its checkpoints', async () => {
    write('.hitl.yml', BASE_CONFIG);
    const run = await hitl(repo, 'validate');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toBe('.hitl.yml: valid (6 checkpoints: architecture_review, breaking_change, security_review, performance_impact, rollback_decision, payments_review)');
  });

  it('prints each error as file:line:col and exits 1', async () => {
    write('bad.yml', 'roles:\n  qa: [alice]\n  qa: [bob]\n');
    write('typo.yml', 'checkpoints:\n  security_review:\n    aprover: security_team\n    timeout: someday\n');
    const dup = await hitl(repo, 'validate', 'bad.yml');
    expect(dup.code).toBe(1);
    expect(dup.err).toBe('bad.yml:3:3: error: YAML: duplicate key "qa"\nbad.yml: 1 error(s)');
    const typo = await hitl(repo, 'validate', 'typo.yml');
    expect(typo.err.split('\n')).toEqual([
      'typo.yml:3:5: error: checkpoints.security_review: unknown key "aprover" (did you mean "approver"?)',
      'typo.yml:4:5: error: checkpoints.security_review.timeout: "someday" is not a duration: write e.g. 90s, 30m, 2h, 1d or 24_hours',
      'typo.yml: 2 error(s)',
    ]);
  });

  it('prints warnings and still exits 0', async () => {
    write('seed.yml', readFileSync(new URL('../config/fixtures/seed.yml', import.meta.url), 'utf8'));
    const run = await hitl(repo, 'validate', 'seed.yml');
    expect(run.code).toBe(0);
    expect(run.out.split('\n')[0]).toBe('seed.yml:3:5: warning: trigger "major_structural_change" is not defined in this file; using the built-in default');
  });

  it('checks a file against the org defaults with --org', async () => {
    write('org.yml', 'roles:\n  dba: ["@acme/dba"]\n');
    write('uses-dba.yml', 'triggers:\n  schema: { paths: ["db/**"] }\ncheckpoints:\n  data_migration: { trigger: schema, approver: dba }\n');
    expect((await hitl(repo, 'validate', 'uses-dba.yml')).code).toBe(1);
    const valid = await hitl(repo, 'validate', 'uses-dba.yml', '--org', 'org.yml');
    expect(valid.code).toBe(0);
    expect(valid.out).toMatch(/^uses-dba\.yml over org\.yml: valid \(6 checkpoints: /);
  });

  it('with --org, names the file each error is in, in the lines and in the summary', async () => {
    write('bad-org.yml', 'roles:\n  dba: ["@acme/dba"]\n  qa: [wizard!]\n');
    write('uses-dba.yml', 'triggers:\n  schema: { paths: ["db/**"] }\ncheckpoints:\n  data_migration: { trigger: schema, approver: dba, timeout: someday }\n');
    const run = await hitl(repo, 'validate', 'uses-dba.yml', '--org', 'bad-org.yml');
    expect(run.code).toBe(1);
    expect(run.err.split('\n')).toEqual([
      'bad-org.yml:3:8: error: roles.qa.0: a role member is a user ("alice"), a team ("@org/team") or a permission ("permission:maintain")',
      'uses-dba.yml:4:53: error: checkpoints.data_migration.timeout: "someday" is not a duration: write e.g. 90s, 30m, 2h, 1d or 24_hours',
      'bad-org.yml: 1 error(s)',
      'uses-dba.yml: 1 error(s)',
    ]);
  });

  it('without a .hitl.yml, reports that the built-in defaults apply (exit 0)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hitl-cli-empty-'));
    try {
      const run = await hitl(empty, 'validate');
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out.split('\n')).toEqual([
        'no .hitl.yml here: the built-in defaults apply',
        '(built-in defaults): valid (5 checkpoints: architecture_review, breaking_change, security_review, performance_impact, rollback_decision)',
      ]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('exits 2 for a file it cannot read or too many arguments', async () => {
    const missing = await hitl(repo, 'validate', 'nope.yml');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^hitl: cannot read nope\.yml\n\nUsage:/);
    expect((await hitl(repo, 'validate', 'a.yml', 'b.yml')).code).toBe(2);
  });
});

describe('the hitl dispatcher', () => {
  it('prints the JSON Schema', async () => {
    const run = await hitl(repo, 'schema');
    expect(run.code).toBe(0);
    expect(Object.keys((JSON.parse(run.out) as { properties: object }).properties)).toContain('checkpoints');
  });

  it('prints usage for help (exit 0), and for no or an unknown command (exit 2)', async () => {
    expect(await hitl(repo, 'help')).toMatchObject({ code: 0, out: expect.stringContaining('hitl plan [--base REF]') });
    expect((await hitl(repo)).code).toBe(2);
    const unknown = await hitl(repo, 'deploy');
    expect(unknown).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "deploy"') });
    expect((await hitl(repo, 'toString')).code).toBe(2);
  });

  it.each(Object.keys(SUBCOMMANDS))('"%s --help" prints that command\'s usage and options (exit 0), and so does "help %s"', async (name) => {
    const run = await hitl(repo, ...name.split(' '), '--help');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(new RegExp(`^Usage: hitl ${name}\\b`));
    expect(await hitl(repo, 'help', ...name.split(' '))).toEqual(run);
    expect((await hitl(repo, ...name.split(' '), '-h')).out).toBe(run.out);
  });

  it('names every command in the usage, and refuses help for an unknown one', async () => {
    const usage = (await hitl(repo, 'help')).out;
    for (const name of Object.keys(SUBCOMMANDS)) expect(usage).toContain(`hitl ${name}`);
    expect(await hitl(repo, 'help', 'deploy')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "deploy"') });
  });

  it('prints its version with --version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await hitl(repo, '--version')).toEqual({ code: 0, out: `hitl ${version}`, err: '' });
    expect((await hitl(repo, 'version')).out).toBe(`hitl ${version}`);
  });

  it('shows a command\'s own usage with a usage error', async () => {
    const run = await hitl(repo, 'backtest', '--frobnicate');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^hitl: Unknown option '--frobnicate'.*\n\nUsage: hitl backtest /s);
  });

  it('routes a two-word subcommand before a one-word one', async () => {
    const seen: string[][] = [];
    SUBCOMMANDS['probe run'] = async (argv) => {
      seen.push(argv);
      return 0;
    };
    try {
      expect((await hitl(repo, 'probe', 'run', '--x')).code).toBe(0);
      expect(seen).toEqual([['--x']]);
    } finally {
      delete SUBCOMMANDS['probe run'];
    }
  });
});

describe('parseNumstat', () => {
  it('reads plain, binary and renamed entries', () => {
    expect(parseNumstat('3\t1\tsrc/a.ts\0-\t-\tlogo.png\0' + '0\t0\t\0old/x.ts\0new/x.ts\0')).toEqual([
      { path: 'src/a.ts', additions: 3, deletions: 1 },
      { path: 'logo.png', additions: 0, deletions: 0 },
      { path: 'new/x.ts', previousPath: 'old/x.ts', additions: 0, deletions: 0 },
    ]);
  });
});
