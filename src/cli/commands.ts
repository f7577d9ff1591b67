/**
 * The `hitl` subcommands. A subcommand is a module exporting `(argv, io) => exit code`; adding
 * one is one line in SUBCOMMANDS and its help in usage.ts. Names of two words (`audit export`)
 * match before one word. `--help` anywhere after a command prints that command's help.
 */
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { RedisAuditStore } from '../audit/redis-store.js';
import { hitlJsonSchema } from '../config/schema.js';
import { runAuditExport } from './audit-export.js';
import { runBacktest } from './backtest.js';
import { runReport } from './report.js';
import { EXIT, type CliIo, type Subcommand } from './io.js';
import { runPlan } from './plan.js';
import { COMMAND_HELP, helpOf, USAGE, usageError } from './usage.js';
import { runValidate } from './validate.js';

const runSchema: Subcommand = async (argv, io) => {
  if (argv.length > 0) return usageError(io, 'schema takes no arguments', 'schema');
  io.out(JSON.stringify(hitlJsonSchema(), null, 2));
  return EXIT.ok;
};

/** The streams the Redis-backed subcommands write to, over CliIo's line functions. */
const streamsOf = (io: CliIo) => ({
  stdout: { write: (text: string) => (io.out(text.replace(/\n$/, '')), true) },
  stderr: { write: (text: string) => io.err(text.replace(/\n$/, '')) },
  env: process.env,
});

/** `hitl report` reads the audit log at REDIS_URL under HITL_REDIS_PREFIX; an unreachable Redis is one line and exit 1. */
const runRedisReport: Subcommand = async (argv, io) => {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported once below
  try {
    await redis.connect();
  } catch {
    io.err(`hitl report: cannot reach Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}: start redis-server or set REDIS_URL`);
    redis.disconnect();
    return EXIT.invalid;
  }
  try {
    return await runReport(argv, streamsOf(io), new RedisAuditStore({ redis, prefix: process.env.HITL_REDIS_PREFIX || 'hitl:' }), io.now);
  } finally {
    redis.disconnect();
  }
};

export const SUBCOMMANDS: Record<string, Subcommand> = {
  validate: runValidate,
  plan: runPlan,
  backtest: runBacktest,
  schema: runSchema,
  'audit export': (argv, io) => runAuditExport(argv, streamsOf(io), io.now()),
  report: runRedisReport,
  demo: (argv, io) => import('../demo/cli.js').then(({ runDemo }) => runDemo(argv, io)),
};

/** This package's version (package.json sits two folders up from both src/cli and lib/cli). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The command `argv` starts with (two words first) and the arguments after it. */
function commandOf(argv: readonly string[]): { name: string; args: string[] } | undefined {
  const [first, second] = argv;
  if (first !== undefined && second !== undefined && Object.hasOwn(SUBCOMMANDS, `${first} ${second}`)) return { name: `${first} ${second}`, args: argv.slice(2) };
  if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) return { name: first, args: argv.slice(1) };
  return undefined;
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === undefined) return usageError(io, 'no command given');
  if (first === '--version' || first === '-V' || first === 'version') {
    io.out(`hitl ${version()}`);
    return EXIT.ok;
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    const topic = commandOf(argv.slice(1));
    if (argv.length > 1 && !topic) return usageError(io, `unknown command "${argv.slice(1).join(' ')}"`);
    io.out(topic && Object.hasOwn(COMMAND_HELP, topic.name) ? helpOf(topic.name) : USAGE);
    return EXIT.ok;
  }
  const command = commandOf(argv);
  if (!command) return usageError(io, `unknown command "${first}"`);
  if (wantsHelp(command.args) && Object.hasOwn(COMMAND_HELP, command.name)) {
    io.out(helpOf(command.name));
    return EXIT.ok;
  }
  return SUBCOMMANDS[command.name]!(command.args, io);
}
