/**
 * The `hitl` subcommands. A subcommand is a module exporting `(argv, io) => exit code`; adding
 * one is one line in SUBCOMMANDS. Names of two words (`audit export`) match before one word.
 */
import { Redis } from 'ioredis';
import { RedisAuditStore } from '../audit/redis-store.js';
import { hitlJsonSchema } from '../config/schema.js';
import { runAuditExport } from './audit-export.js';
import { runReport } from './report.js';
import { EXIT, type CliIo, type Subcommand } from './io.js';
import { runPlan } from './plan.js';
import { USAGE, usageError } from './usage.js';
import { runValidate } from './validate.js';

const runSchema: Subcommand = async (argv, io) => {
  if (argv.length > 0) return usageError(io, 'schema takes no arguments');
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
  schema: runSchema,
  'audit export': (argv, io) => runAuditExport(argv, streamsOf(io), io.now()),
  report: runRedisReport,
  demo: (argv, io) => import('../demo/cli.js').then(({ runDemo }) => runDemo(argv, io)),
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
