/**
 * The policy an offline command applies: a draft file given with `--config` (nothing committed),
 * else `.hitl.yml` at a commit (as the app reads it from a pull request's base), else the
 * built-in defaults. Warnings and errors go to stderr as `file:line:col: …`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatIssue, loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { showFile } from './git.js';
import { EXIT, type CliIo } from './io.js';
import { usageError } from './usage.js';

export const CONFIG_FILE = '.hitl.yml';

export type LoadedPolicy = { ok: true; config: ResolvedConfig; source: string } | { ok: false; exit: number };

/** `draft` (a path) wins over `.hitl.yml` at `commit`; `ref` names the commit in messages; `command` is whose usage an unreadable draft shows. */
export function loadPolicy(io: CliIo, at: { ref: string; commit: string }, draft: string | undefined, command: string): LoadedPolicy {
  let text: string | undefined;
  if (draft !== undefined) {
    try {
      text = readFileSync(resolve(io.cwd, draft), 'utf8');
    } catch {
      return { ok: false, exit: usageError(io, `cannot read ${draft}`, command) };
    }
  } else {
    text = showFile(io.cwd, at.commit, CONFIG_FILE);
  }
  const name = draft ?? `${at.ref}:${CONFIG_FILE}`;
  const loaded = loadConfig({ repository: text });
  for (const warning of loaded.warnings) io.err(formatIssue(warning, name));
  if (!loaded.ok) {
    for (const error of loaded.errors) io.err(formatIssue(error, name));
    io.err(draft === undefined ? `hitl: the ${CONFIG_FILE} at ${at.ref} is invalid, so the app would fail the gate until it is fixed` : `hitl: ${draft} is invalid`);
    return { ok: false, exit: EXIT.invalid };
  }
  const source = draft !== undefined ? `${draft} (draft)` : text === undefined ? `built-in defaults (no ${CONFIG_FILE} at ${at.ref})` : `${CONFIG_FILE} at ${at.ref}`;
  return { ok: true, config: loaded.config, source };
}
