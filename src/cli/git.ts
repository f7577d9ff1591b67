/**
 * The few git facts `hitl plan` needs, read with plain git commands (no shell, refs resolved to
 * commit ids before use so that a ref can never be taken for an option).
 */
import { execFileSync } from 'node:child_process';
import type { ChangedFile } from '../policy/types.js';

export type GitResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function git(cwd: string, args: string[]): GitResult<string> {
  try {
    const out = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    return { ok: true, value: out };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    return { ok: false, error: stderr || (error as Error).message };
  }
}

/** The commit id a ref names, or why it names none. */
export function resolveCommit(cwd: string, ref: string): GitResult<string> {
  const result = git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return result.ok ? { ok: true, value: result.value.trim() } : { ok: false, error: `"${ref}" is not a commit in ${cwd}` };
}

/** The branch a ref stands for ("origin/main" for origin/HEAD, the checked-out branch for HEAD). */
export function branchOf(cwd: string, ref: string): string {
  if (ref.startsWith('-')) return ref; // never an option (resolveCommit has refused such a ref already)
  const result = git(cwd, ['rev-parse', '--abbrev-ref', ref]);
  return result.ok && result.value.trim() ? result.value.trim() : ref;
}

/** Like a pull request's base: the branch's upstream, else origin/HEAD, else the parent commit. */
export function defaultBase(cwd: string): string {
  const upstream = git(cwd, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  if (upstream.ok && upstream.value.trim()) return upstream.value.trim();
  if (resolveCommit(cwd, 'origin/HEAD').ok) return 'origin/HEAD';
  return 'HEAD~1';
}

/** A file at a commit; undefined when the commit has no such file. */
export function showFile(cwd: string, commit: string, path: string): string | undefined {
  const result = git(cwd, ['show', `${commit}:${path}`]);
  return result.ok ? result.value : undefined;
}

export function commitSubject(cwd: string, commit: string): string {
  const result = git(cwd, ['log', '-1', '--format=%s', commit]);
  return result.ok ? result.value.trim() : '';
}

/**
 * The changed files between the merge base and head, as GitHub's three-dot compare shows them,
 * with renames detected. Binary files count as zero lines, as in GitHub's file list.
 */
export function changedFiles(cwd: string, base: string, head: string): GitResult<ChangedFile[]> {
  const result = git(cwd, ['diff', '--numstat', '-z', '-M', `${base}...${head}`]);
  if (!result.ok) return result;
  return { ok: true, value: parseNumstat(result.value) };
}

/** `git diff --numstat -z`: "add\tdel\tpath\0", or "add\tdel\t\0old\0new\0" for a rename. */
export function parseNumstat(out: string): ChangedFile[] {
  const fields = out.split('\0');
  const files: ChangedFile[] = [];
  const lines = (count: string | undefined) => (count === undefined || count === '-' ? 0 : Number(count) || 0);
  for (let i = 0; i < fields.length; i++) {
    const record = fields[i]!;
    if (!record) continue;
    const [additions, deletions, path] = record.split('\t');
    if (path) {
      files.push({ path, additions: lines(additions), deletions: lines(deletions) });
    } else {
      const previousPath = fields[++i];
      const newPath = fields[++i];
      if (previousPath && newPath) files.push({ path: newPath, previousPath, additions: lines(additions), deletions: lines(deletions) });
    }
  }
  return files;
}
