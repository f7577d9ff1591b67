/** `hitl validate [file] [--org file]`: each issue as `file:line:col: severity: message`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatIssue, issueFile, loadConfig } from '../config/load.js';
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
  // The org's file first (it is read first), then by position.
  const fileOrder = (source: string) => (source === 'organization' ? 0 : 1);
  const sorted = [...issues].sort((a, b) => fileOrder(a.source) - fileOrder(b.source) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const orgFile = args.values.org;
  for (const issue of sorted) (issue.severity === 'error' ? io.err : io.out)(formatIssue(issue, file, orgFile));
  if (!result.ok) {
    // Each file with errors by its own name: with --org the error may be in the org's file.
    const perFile = new Map<string, number>();
    for (const error of result.errors) perFile.set(issueFile(error, file, orgFile), (perFile.get(issueFile(error, file, orgFile)) ?? 0) + 1);
    for (const [name, count] of perFile) io.err(`${name}: ${count} error(s)`);
    return EXIT.invalid;
  }
  const { checkpoints } = result.config;
  // Like the app: a repository without the file gets the built-in policy, which is valid.
  if (repository === undefined) io.out(`no ${DEFAULT_FILE} here: the built-in defaults apply`);
  const validated = `${repository === undefined ? '(built-in defaults)' : file}${orgFile === undefined ? '' : ` over ${orgFile}`}`;
  io.out(`${validated}: valid (${checkpoints.length} checkpoints: ${checkpoints.map((c) => c.name).join(', ')})`);
  return EXIT.ok;
}
