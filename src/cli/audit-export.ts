/**
 * `hitl audit export [--since 30d|ISO] [--until ISO] [--repo owner/name]`: the audit log as JSON
 * Lines on stdout, oldest first, one entry per line exactly as stored (JSON.parse gives it back).
 * Reads Redis at REDIS_URL (default redis://127.0.0.1:6379) under HITL_REDIS_PREFIX (default "hitl:").
 */
import { Redis } from 'ioredis';
import { parseDuration } from '../config/duration.js';
import { RedisAuditStore, type AuditScan } from '../audit/redis-store.js';
import { helpOf } from './usage.js';

export interface CliIo {
  /** process.stdout, or anything with write (and `once('drain')` for back-pressure). */
  stdout: { write(chunk: string): boolean; once?(event: 'drain', listener: () => void): unknown };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
}

const USAGE = `${helpOf('audit export')}\n`;
const REPO = /^[\w.-]+\/[\w.-]+$/;

export type ExportArgs = { ok: true; query: AuditScan } | { ok: false; error: string };

/** `30d`, `12h`… before now, or an ISO date/time; a string is the error. */
export function parseInstant(flag: string, text: string, now: number, relative: boolean): number | string {
  if (relative) {
    const duration = parseDuration(text);
    if (duration.ok) return now - duration.ms;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? `${flag} ${JSON.stringify(text)}: expected ${relative ? 'a duration such as 30d or ' : ''}an ISO date` : at;
}

export function parseExportArgs(argv: readonly string[], now: number): ExportArgs {
  const query: AuditScan = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return { ok: false, error: `${flag} needs a value` };
    if (flag === '--since' || flag === '--until') {
      const at = parseInstant(flag, value, now, flag === '--since');
      if (typeof at === 'string') return { ok: false, error: at };
      query[flag === '--since' ? 'since' : 'until'] = at;
    } else if (flag === '--repo') {
      if (!REPO.test(value)) return { ok: false, error: `--repo ${JSON.stringify(value)}: expected owner/name` };
      query.repo = value;
    } else {
      return { ok: false, error: `unknown option ${JSON.stringify(flag)}` };
    }
  }
  return { ok: true, query };
}

export async function runAuditExport(argv: string[], io: CliIo, now: number = Date.now()): Promise<number> {
  const args = parseExportArgs(argv, now);
  if (!args.ok) {
    io.stderr.write(`hitl audit export: ${args.error}\n${USAGE}`);
    return 2;
  }
  const url = io.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null, disconnectTimeout: 100 });
  redis.on('error', () => undefined); // reported once below, not as an unhandled event
  try {
    await redis.connect();
  } catch (error) {
    io.stderr.write(`hitl audit export: cannot reach Redis at ${redactUrl(url)} (${(error as Error).message}); start redis-server or set REDIS_URL\n`);
    redis.disconnect();
    return 1;
  }
  const store = new RedisAuditStore({ redis, prefix: io.env.HITL_REDIS_PREFIX ?? 'hitl:' });
  try {
    for await (const entry of store.scan(args.query)) {
      // Wait for a slow pipe instead of buffering the whole log in memory.
      if (!io.stdout.write(`${JSON.stringify(entry)}\n`) && io.stdout.once) await new Promise<void>((resolve) => io.stdout.once!('drain', resolve));
    }
    return 0;
  } catch (error) {
    io.stderr.write(`hitl audit export: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
    redis.disconnect();
  }
}

/** A Redis URL may carry a password: never print it. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(REDIS_URL)';
  }
}
