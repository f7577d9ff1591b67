/**
 * The changes merged into a branch, read from git for `hitl backtest`: every commit on the
 * branch's first-parent line in a time window, with what it changed. A merge commit's change is
 * its diff against the first parent (its second parent's range as merged), a squash or direct
 * commit's is its own diff. One `git log` reads them all, so a long history costs one process.
 */
import { spawn } from 'node:child_process';
import { git, parseNumstat } from './git.js';
import type { ChangedFile } from '../policy/types.js';

export type ChangeKind = 'merge' | 'squash' | 'commit';

export interface MergedChange {
  commit: string;
  kind: ChangeKind;
  /** The pull request number the commit message names ("Merge pull request #12", "Title (#12)"). */
  number?: number;
  /** The pull request's title as the message carries it (see titleOf). */
  title: string;
  /** The message without the line the title came from. */
  body: string;
  author: string;
  /** When it landed on the branch (committer time), ms since epoch. */
  at: number;
  files: ChangedFile[];
}

const RECORD = '\x1e';
const FIELD = '\x1f';
/** Fields a commit message cannot break: git never stores NUL in one, and the header ends with FIELD NUL. */
const FORMAT = `--format=${RECORD}%H %P${FIELD}%ct${FIELD}%an${FIELD}%B${FIELD}`;
const SHA = /^[0-9a-f]{40}$/;
const GITHUB_MERGE = /^Merge pull request #(\d+) from \S+/;
const SQUASH = /^(.*\S)\s+\(#(\d+)\)$/;

export function logArgs(commit: string, sinceMs: number): string[] {
  return [
    'log', '--first-parent', '--diff-merges=first-parent', '--numstat', '-z', '-M', '--no-color', '--no-ext-diff',
    FORMAT, `--since=${new Date(sinceMs).toISOString()}`, commit, '--',
  ];
}

/**
 * GitHub's merge commits say "Merge pull request #N from owner/branch" and carry the PR title as
 * the first line of the body; a squash merge's subject is the title followed by "(#N)". Any other
 * commit's subject is its title. A single-parent commit without "(#N)" is a direct push (or one
 * commit of a rebase merge): kind "commit".
 */
export function titleOf(message: string, merge: boolean): Pick<MergedChange, 'title' | 'body' | 'number' | 'kind'> {
  const lines = message.replace(/\s+$/, '').split('\n');
  const subject = lines[0]?.trim() ?? '';
  const rest = lines.slice(1).join('\n').trim();
  const merged = merge ? GITHUB_MERGE.exec(subject) : null;
  if (merged) {
    const [title = subject, ...body] = rest.split('\n');
    return { kind: 'merge', number: Number(merged[1]), title: title.trim() || subject, body: body.join('\n').trim() };
  }
  // A merge with an edited message may still end in "(#N)", like a squash.
  const numbered = SQUASH.exec(subject);
  const kind: ChangeKind = merge ? 'merge' : numbered ? 'squash' : 'commit';
  return numbered ? { kind, number: Number(numbered[2]), title: numbered[1]!, body: rest } : { kind, title: subject, body: rest };
}

/**
 * Parses the output of `git log` with logArgs. Each record is RECORD, header fields separated by
 * FIELD, FIELD NUL, then numstat entries ("a\td\tpath\0" or "a\td\t\0old\0new\0"); entries start
 * with a digit or "-", so a path can never be taken for the next record.
 */
export function parseLog(out: string): MergedChange[] {
  const changes: MergedChange[] = [];
  let i = out.indexOf(RECORD);
  while (i >= 0 && i < out.length) {
    const headerEnd = out.indexOf(`${FIELD}\0`, i);
    if (headerEnd < 0) break;
    const [ids = '', time = '', author = '', ...message] = out.slice(i + 1, headerEnd).split(FIELD);
    i = headerEnd + 2;
    if (out[i] === '\n') i++;
    const start = i;
    while (i < out.length && out[i] !== RECORD) i = nextEntry(out, i);
    const [commit = '', ...parents] = ids.trim().split(' ').filter(Boolean);
    if (!SHA.test(commit)) continue;
    changes.push({
      commit,
      ...titleOf(message.join(FIELD), parents.length > 1),
      author,
      at: Number(time) * 1000,
      files: parseNumstat(out.slice(start, i)),
    });
  }
  return changes;
}

/** The offset after the numstat entry at `i`: "a\td\tpath\0", or for a rename "a\td\t\0old\0new\0". */
function nextEntry(out: string, i: number): number {
  const firstTab = out.indexOf('\t', i);
  const secondTab = firstTab < 0 ? -1 : out.indexOf('\t', firstTab + 1);
  if (secondTab < 0) return out.length;
  let end = secondTab + 1;
  for (let fields = out[end] === '\0' ? 3 : 1; fields > 0; fields--) {
    const nul = out.indexOf('\0', end);
    if (nul < 0) return out.length;
    end = nul + 1;
  }
  return end;
}

/** How many commits readMergedChanges will read (for a progress bar's total); undefined when git cannot say. */
export function countMergedChanges(cwd: string, commit: string, sinceMs: number): number | undefined {
  const result = git(cwd, ['rev-list', '--count', '--first-parent', `--since=${new Date(sinceMs).toISOString()}`, commit, '--']);
  return result.ok ? Number(result.value.trim()) : undefined;
}

export type ReadResult = { ok: true; changes: MergedChange[] } | { ok: false; error: string };

/**
 * Runs one `git log` and parses its output; `onRecord` hears how many commits have been read so
 * far (for a progress bar), as the output arrives.
 */
export function readMergedChanges(cwd: string, commit: string, sinceMs: number, onRecord?: (read: number) => void): Promise<ReadResult> {
  return new Promise((resolve) => {
    const child = spawn('git', logArgs(commit, sinceMs), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    const errors: string[] = [];
    let read = 0;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      chunks.push(chunk);
      if (onRecord) {
        for (let at = chunk.indexOf(RECORD); at >= 0; at = chunk.indexOf(RECORD, at + 1)) read++;
        onRecord(read);
      }
    });
    child.stderr.on('data', (chunk: string) => errors.push(chunk));
    child.on('error', (error) => resolve({ ok: false, error: `cannot run git: ${error.message}` }));
    child.on('close', (code) => {
      if (code !== 0) resolve({ ok: false, error: errors.join('').trim() || `git log exited with ${code}` });
      else resolve({ ok: true, changes: parseLog(chunks.join('')) });
    });
  });
}
