/**
 * The `hitl` subcommands. A subcommand is a module exporting `(argv, io) => exit code`; adding
 * one is one line in SUBCOMMANDS. Names of two words (`audit export`) match before one word.
 */
import { hitlJsonSchema } from '../config/schema.js';
import { EXIT, type CliIo, type Subcommand } from './io.js';
import { runPlan } from './plan.js';
import { USAGE, usageError } from './usage.js';
import { runValidate } from './validate.js';

const runSchema: Subcommand = async (argv, io) => {
  if (argv.length > 0) return usageError(io, 'schema takes no arguments');
  io.out(JSON.stringify(hitlJsonSchema(), null, 2));
  return EXIT.ok;
};

export const SUBCOMMANDS: Record<string, Subcommand> = {
  validate: runValidate,
  plan: runPlan,
  schema: runSchema,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) return usageError(io, 'no command given');
  if (first === 'help' || first === '--help' || first === '-h') {
    io.out(USAGE);
    return EXIT.ok;
  }
  const twoWords = second === undefined ? undefined : SUBCOMMANDS[`${first} ${second}`];
  if (twoWords && Object.hasOwn(SUBCOMMANDS, `${first} ${second}`)) return twoWords(argv.slice(2), io);
  if (Object.hasOwn(SUBCOMMANDS, first)) return SUBCOMMANDS[first]!(argv.slice(1), io);
  return usageError(io, `unknown command "${first}"`);
}
