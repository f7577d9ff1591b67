/** `hitl validate [file] [--org file]`: each issue as `file:line:col: severity: message`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatIssue, loadConfig } from '../config/load.js';
import { EXIT, type CliIo } from './io.js';
import { usageError } from './usage.js';

const DEFAULT_FILE = '.hitl.yml';

function readText(io: CliIo, file: string): string | undefined {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch {
    return undefined;
  }
}

export async function runValidate(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' } } });
  } catch (error) {
    return usageError(io, (error as Error).message, 'validate');
  }
  if (args.positionals.length > 1) return usageError(io, 'validate takes one file', 'validate');
  const named = args.positionals[0];
  const file = named ?? DEFAULT_FILE;
  const repository = readText(io, file);
  if (repository === undefined && named !== undefined) return usageError(io, `cannot read ${file}`, 'validate');
  const organization = args.values.org === undefined ? undefined : readText(io, args.values.org);
  if (args.values.org !== undefined && organization === undefined) return usageError(io, `cannot read ${args.values.org}`, 'validate');

  const result = loadConfig({ repository, organization });
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  for (const issue of sorted) {
    const line = formatIssue(issue, file);
    (issue.severity === 'error' ? io.err : io.out)(line.replace(`<org>/.github/${file}`, args.values.org ?? file));
  }
  if (!result.ok) {
    io.err(`${file}: ${result.errors.length} error(s)`);
    return EXIT.invalid;
  }
  const { checkpoints } = result.config;
  // Like the app: a repository without the file gets the built-in policy, which is valid.
  if (repository === undefined) io.out(`no ${DEFAULT_FILE} here: the built-in defaults apply`);
  io.out(`${repository === undefined ? '(built-in defaults)' : file}: valid (${checkpoints.length} checkpoints: ${checkpoints.map((c) => c.name).join(', ')})`);
  return EXIT.ok;
}
