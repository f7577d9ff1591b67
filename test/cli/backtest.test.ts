/**
 * `hitl backtest` on histories made in a temp dir: GitHub-style merge commits and squash commits
 * written with plain git (dates set, so the window is exact), and a long generated history for
 * the progress bar.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateHistory } from '../../src/bench/history.js';
import type { BacktestReport } from '../../src/cli/backtest-report.js';
import { runCli } from '../../src/cli/commands.js';
import { parseLog, titleOf } from '../../src/cli/history.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-24T12:00:00Z');

interface Run {
  code: number;
  out: string;
  err: string;
  status: string[];
}

async function hitl(cwd: string, argv: string[], withStatus = false): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const status: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), cwd, now: () => NOW, status: withStatus ? (line) => status.push(line) : undefined });
  return { code, out: out.join('\n'), err: err.join('\n'), status };
}
const json = async (cwd: string, ...argv: string[]) => {
  const run = await hitl(cwd, ['backtest', ...argv, '--json']);
  expect(run).toMatchObject({ code: 0 });
  return JSON.parse(run.out) as BacktestReport;
};

const CONFIG = `roles:
  payments_team: ["@acme/payments"]
triggers:
  money_movement: { paths: ["src/payments/**"] }
checkpoints:
  payments_review: { trigger: money_movement, approver: payments_team }
`;

let repo: string;
const sha: Record<string, string> = {};
function git(daysAgo: number, ...args: string[]): string {
  const date = new Date(NOW - daysAgo * DAY).toISOString();
  return execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
}
const lines = (count: number, word = 'line') => Array.from({ length: count }, (_, i) => `${word} ${i}`).join('\n') + '\n';
function commit(daysAgo: number, message: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(daysAgo, 'add', '--', ...Object.keys(files));
  git(daysAgo, 'commit', '-qm', message);
  return git(daysAgo, 'rev-parse', 'HEAD').trim();
}
/** A pull request merged with GitHub's merge button: a branch of commits, then a merge commit with the title in its body. */
function mergePullRequest(daysAgo: number, number: number, title: string, commits: Array<Record<string, string>>): string {
  git(daysAgo, 'checkout', '-qb', `pr${number}`, 'main');
  commits.forEach((files, i) => commit(daysAgo + 0.1, `wip ${i}`, files));
  git(daysAgo, 'checkout', '-q', 'main');
  git(daysAgo, 'merge', '-q', '--no-ff', `pr${number}`, '-m', `Merge pull request #${number} from acme/pr${number}`, '-m', title);
  return git(daysAgo, 'rev-parse', 'HEAD').trim();
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'hitl-backtest-'));
  git(200, 'init', '-q', '-b', 'main');
  commit(200, 'initial', { '.hitl.yml': CONFIG, 'src/app.ts': lines(10), 'src/payments/charge.ts': lines(10), 'README.md': '# demo\n' });
  sha.old = commit(120, 'Old change outside the window (#1)', { 'src/auth/login.ts': lines(5) });
  sha.docs = mergePullRequest(80, 2, 'Update the guide', [{ 'docs/guide.md': lines(30) }, { 'README.md': '# demo\nmore\n' }]);
  sha.auth = commit(70, 'Add login throttle (#3)', { 'src/auth/throttle.ts': lines(40) });
  // PR 4 forks here; main moves on before it merges, and the merge shows only PR 4's own change.
  git(60, 'checkout', '-qb', 'pr4', 'main');
  commit(60, 'charge in cents', { 'src/payments/charge.ts': lines(20, 'cents') });
  git(55, 'checkout', '-q', 'main');
  sha.direct = commit(55, 'fix typo', { 'src/app.ts': lines(10, 'fixed') });
  git(50, 'merge', '-q', '--no-ff', 'pr4', '-m', 'Merge pull request #4 from acme/pr4', '-m', 'Charge in cents');
  sha.payments = git(50, 'rev-parse', 'HEAD').trim();
  sha.peer = mergePullRequest(40, 5, 'Refactor the app', [{ 'src/app.ts': lines(120, 'refactor') }]);
  sha.revert = commit(30, 'Revert "Add login throttle" (#6)\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.', { 'src/auth/throttle.ts': lines(1) });
  sha.lockfile = commit(20, 'fix(deps): update express [security] (#7)', { 'package.json': '{"dependencies":{"express":"4.19.2"}}\n', 'package-lock.json': lines(1294, 'lock') });
  sha.big = commit(10, 'Rewrite the engine (#8)', { 'src/engine/core.ts': lines(1200, 'engine') });
  // The committed file edited: src/app.ts becomes money movement, security review narrows to src/crypto.
  writeFileSync(join(repo, 'draft.yml'), CONFIG.replace('  money_movement: { paths: ["src/payments/**"] }', '  money_movement: { paths: ["src/payments/**", "src/app.ts"] }\n  security_related_change: { paths: ["src/crypto/**"] }'));
  writeFileSync(join(repo, 'broken.yml'), 'checkpoints:\n  payments_review: { timeout: someday }\n');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('hitl backtest on a generated history of merge and squash commits', () => {
  it('classifies every change merged in the window with the branch\'s .hitl.yml', async () => {
    const report = await json(repo, '--since', '90d', '--branch', 'main');
    expect(report.changes).toBe(8);
    expect(report.kinds).toEqual({ merge: 3, squash: 4, commit: 1 });
    expect(report.config).toBe('.hitl.yml at main');
    expect(report.workflows).toEqual({ automatic: 1, peer: 2, expert: 5 });
    expect(report.checkpoints).toEqual({
      architecture_review: 1, breaking_change: 0, security_review: 3, performance_impact: 0, rollback_decision: 1, payments_review: 1,
    });
    expect(report).not.toHaveProperty('differences');
  });

  it('takes a merge commit\'s change from its second parent\'s range, with the title from its body', async () => {
    const report = await json(repo, '--since', '90d', '--branch', 'main');
    const payments = report.largest.find((c) => c.commit === sha.payments);
    // main's "fix typo" in src/app.ts landed between the fork and the merge: it is not part of PR 4.
    expect(payments).toMatchObject({ number: 4, title: 'Charge in cents', files: 1, lines: 30, workflow: 'expert', checkpoints: ['payments_review'] });
    expect(report.largest.find((c) => c.commit === sha.docs)).toMatchObject({ number: 2, title: 'Update the guide', files: 2, workflow: 'automatic', checkpoints: [] });
    expect(report.largest.find((c) => c.commit === sha.revert)).toMatchObject({ number: 6, title: 'Revert "Add login throttle"', checkpoints: ['security_review', 'rollback_decision'] });
  });

  it('counts lockfile lines out of size and says what fired each checkpoint', async () => {
    const report = await json(repo, '--since', '90d', '--branch', 'main');
    expect(report.largest[0]).toMatchObject({ commit: sha.lockfile, lines: 1295, countedLines: 1, checkpoints: ['security_review'] });
    expect(report.reasons.security_review).toEqual([
      { reason: 'paths **/auth/**', changes: 2 },
      { reason: 'paths **/package-lock.json', changes: 1 },
      { reason: 'paths **/package.json', changes: 1 },
    ]);
    expect(report.reasons.architecture_review).toEqual([{ reason: 'changed lines ≥ 1000', changes: 1 }]);
    expect(report.reasons.rollback_decision).toEqual([{ reason: 'a revert pull request', changes: 1 }]);
  });

  it('counts review requests per role and week of the window', async () => {
    const report = await json(repo, '--since', '70d', '--branch', 'main');
    // 70 days = 10 weeks: auth (day 70) is on the edge and in; docs (day 80) is out.
    expect(report.changes).toBe(7);
    expect(report.requestsPerWeek).toEqual({ security_team: 0.3, 'any collaborator with write access': 0.2, payments_team: 0.1, senior_developer: 0.1, technical_lead: 0.1, on_call_engineer: 0.1 });
  });

  it('lists every change a second policy would treat differently, with why (--against)', async () => {
    const report = await json(repo, '--since', '90d', '--branch', 'main', '--against', 'draft.yml');
    expect(report.against).toMatchObject({ config: 'draft.yml (draft)', checkpoints: expect.objectContaining({ security_review: 0, payments_review: 3 }) });
    expect(report.differences!.map((d) => [d.commit, d.before, d.after])).toEqual([
      [sha.lockfile, { workflow: 'expert', checkpoints: ['security_review'] }, { workflow: 'peer', checkpoints: [] }],
      [sha.revert, { workflow: 'expert', checkpoints: ['security_review', 'rollback_decision'] }, { workflow: 'expert', checkpoints: ['rollback_decision'] }],
      [sha.peer, { workflow: 'peer', checkpoints: [] }, { workflow: 'expert', checkpoints: ['payments_review'] }],
      [sha.direct, { workflow: 'peer', checkpoints: [] }, { workflow: 'expert', checkpoints: ['payments_review'] }],
      [sha.auth, { workflow: 'expert', checkpoints: ['security_review'] }, { workflow: 'peer', checkpoints: [] }],
    ]);
    const peer = report.differences!.find((d) => d.commit === sha.peer)!;
    expect(peer).toMatchObject({ number: 5, title: 'Refactor the app' });
    expect(peer.why).toEqual(['+ payments_review: money_movement: src/app.ts', 'peer → expert: checkpoint payments_review is active']);
    expect(report.differences!.find((d) => d.commit === sha.auth)!.why).toEqual([
      '− security_review: no longer fires (before: security_related_change: src/auth/throttle.ts)',
      'expert → peer: 40 changed lines < 200 in 1 file(s), no trigger fired',
    ]);
  });

  it('takes a draft file instead of the committed one (--config), without committing it', async () => {
    const report = await json(repo, '--since', '90d', '--branch', 'main', '--config', 'draft.yml');
    expect(report.config).toBe('draft.yml (draft)');
    expect(report.checkpoints.payments_review).toBe(3);
    expect(git(0, 'status', '--porcelain')).toBe('?? broken.yml\n?? draft.yml\n');
  });

  it('prints Markdown with the shares, the checkpoints, the largest changes and the labels caveat', async () => {
    const run = await hitl(repo, ['backtest', '--since', '90d', '--branch', 'main', '--against', 'draft.yml']);
    expect(run.code).toBe(0);
    // The draft narrows security_related_change, and validation says so.
    expect(run.err).toMatch(/^draft\.yml:5:30: warning: triggers\.security_related_change\.paths replaces the built-in list and drops 50 of its entries/);
    expect(run.out).toContain('## HITL backtest: 8 change(s) merged into `main` in the last 90d');
    expect(run.out).toContain('3 merge commit(s), 4 squash commit(s), 1 direct commit(s) on the first-parent line. Policy: .hitl.yml at main.');
    expect(run.out).toContain('> Labels are not in git');
    expect(run.out).toContain('| expert | 5 | 62.5% |');
    expect(run.out).toContain('| `hitl/security_review` | 3 | 37.5% | paths **/auth/** (2), paths **/package-lock.json (1), paths **/package.json (1) |');
    expect(run.out).toContain(`| ${sha.lockfile!.slice(0, 7)} #7 fix(deps): update express [security] | 1295 (1) | 2 | expert: security_review |`);
    expect(run.out).toContain('### Differences: 5 of 8 change(s)');
    expect(run.out).toContain(`| ${sha.peer!.slice(0, 7)} #5 Refactor the app | peer | expert: payments_review | + payments_review: money_movement: src/app.ts; peer → expert: checkpoint payments_review is active |`);
    expect(run.status).toEqual([]);
  });

  it('finds nothing to say before the first change and accepts an ISO date', async () => {
    expect((await json(repo, '--since', '5d', '--branch', 'main')).changes).toBe(0);
    expect((await json(repo, '--since', new Date(NOW - 35 * DAY).toISOString(), '--branch', 'main')).changes).toBe(3);
  });

  it('uses origin/HEAD when the checkout has one', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'hitl-backtest-clone-'));
    try {
      execFileSync('git', ['clone', '-q', repo, clone]);
      const report = await json(clone, '--since', '90d');
      expect(report).toMatchObject({ branch: 'origin/main', changes: 8, config: '.hitl.yml at origin/HEAD' });
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('refuses a bad window, an unknown branch, an unreadable or invalid draft', async () => {
    expect(await hitl(repo, ['backtest', '--since', 'someday'])).toMatchObject({ code: 2, err: expect.stringContaining('--since "someday": expected a duration such as 30d or an ISO date') });
    expect(await hitl(repo, ['backtest', '--branch', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('"nope" is not a commit') });
    expect(await hitl(repo, ['backtest', '--branch', '--output=/tmp/x'])).toMatchObject({ code: 2 });
    expect(await hitl(repo, ['backtest', '--against', 'missing.yml'])).toMatchObject({ code: 2, err: expect.stringContaining('cannot read missing.yml') });
    const broken = await hitl(repo, ['backtest', '--config', 'broken.yml']);
    expect(broken).toMatchObject({ code: 1, out: '' });
    expect(broken.err).toContain('broken.yml:2:22: error: checkpoints.payments_review.timeout: "someday" is not a duration');
  });
});

describe('a long history', () => {
  let long: string;
  beforeAll(() => {
    long = mkdtempSync(join(tmpdir(), 'hitl-backtest-long-'));
    generateHistory(long, { changes: 300, startMs: NOW - 60 * DAY, spacingMs: (50 * DAY) / 300 });
  });
  afterAll(() => rmSync(long, { recursive: true, force: true }));

  it('reads 300 generated merges and squashes with their titles and numbers', async () => {
    const report = await json(long, '--since', '90d');
    expect(report.changes).toBe(300);
    expect(report.kinds).toEqual({ merge: 150, squash: 150, commit: 0 });
    expect(report.workflows.automatic + report.workflows.peer + report.workflows.expert).toBe(300);
    expect(report.largest.every((c) => c.number !== undefined && /^Change \d+: update /.test(c.title))).toBe(true);
  });

  it('shows a progress bar on the status line when one is given (a terminal), and clears it', async () => {
    const run = await hitl(long, ['backtest', '--since', '90d', '--json'], true);
    expect(run.code).toBe(0);
    expect(run.status.some((s) => /^reading history \[[#.]{30}\] \d+\/300$/.test(s))).toBe(true);
    expect(run.status).toContain(`classifying [${'#'.repeat(30)}] 300/300`);
    expect(run.status.at(-1)).toBe('');
    expect(run.err).toBe('');
  });
});

describe('parsing git log', () => {
  it('takes titles and numbers from GitHub merge and squash messages', () => {
    expect(titleOf('Merge pull request #12 from acme/feature\n\nAdd caching\n\nLonger text\n', true)).toEqual({ kind: 'merge', number: 12, title: 'Add caching', body: 'Longer text' });
    expect(titleOf("Merge branch 'stable'\n", true)).toEqual({ kind: 'merge', title: "Merge branch 'stable'", body: '' });
    expect(titleOf('remove unicode host test (#5962)\n', true)).toEqual({ kind: 'merge', number: 5962, title: 'remove unicode host test', body: '' });
    expect(titleOf('Add dismissed state (#866)\n\n* squashed\n', false)).toEqual({ kind: 'squash', number: 866, title: 'Add dismissed state', body: '* squashed' });
    expect(titleOf('fix typo\n', false)).toEqual({ kind: 'commit', title: 'fix typo', body: '' });
  });

  it('reads renames, binary files, empty commits and a message that looks like a record', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const out = `\x1e${a} ${b}\x1f1700000000\x1fDev\x1fMove (#1)\n\nbody \x1e not a record\n\x1f\0\n0\t0\t\0old/x.ts\0new/x.ts\0-\t-\tlogo.png\0\x1e${b} \x1f1690000000\x1fDev\x1fempty\n\x1f\0`;
    expect(parseLog(out)).toEqual([
      {
        commit: a, kind: 'squash', number: 1, title: 'Move', body: 'body \x1e not a record', author: 'Dev', at: 1_700_000_000_000,
        files: [{ path: 'new/x.ts', previousPath: 'old/x.ts', additions: 0, deletions: 0 }, { path: 'logo.png', additions: 0, deletions: 0 }],
      },
      { commit: b, kind: 'commit', title: 'empty', body: '', author: 'Dev', at: 1_690_000_000_000, files: [] },
    ]);
  });
});
