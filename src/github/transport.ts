/**
 * How every GitHub request of the app travels: writes spaced per installation across all
 * processes (a slot reserved in Redis: ≥ 1 s apart, ≤ 80 content creations a minute, queued,
 * never dropped), and transient failures retried with bounded backoff: 5xx on requests that are
 * safe to repeat, secondary rate limits (403/429) on any request, honouring `retry-after`.
 * Probot's throttling only logs secondary limits and spaces writes by when they were scheduled,
 * not when they reach GitHub; this spaces them by their departure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { GitHubClient } from './client.js';

/** A little above GitHub's second, so network jitter never brings two writes closer than that. */
export const WRITE_GAP_MS = 1_050;
export const CONTENT_CREATIONS_PER_MINUTE = 80;
const MINUTE_MS = 60_000;

/**
 * Reserves the next write slot of one installation. KEYS: last-write key, content-window zset.
 * ARGV: now, gap, content-creating (0/1), limit, window, member. Returns the slot (ms).
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('get', KEYS[1]) or '0') + tonumber(ARGV[2]))
if ARGV[3] == '1' then
  local window = tonumber(ARGV[5])
  redis.call('zremrangebyscore', KEYS[2], '-inf', now - window)
  local limit = tonumber(ARGV[4])
  if redis.call('zcard', KEYS[2]) >= limit then
    local oldest = redis.call('zrange', KEYS[2], -limit, -limit, 'WITHSCORES')
    slot = math.max(slot, tonumber(oldest[2]) + window)
  end
  redis.call('zadd', KEYS[2], slot, ARGV[6])
  redis.call('pexpire', KEYS[2], window * 2)
end
redis.call('set', KEYS[1], slot, 'PX', 60000)
return slot`;

/** Paths whose POST notifies people (GitHub's content-creation limit): comments, issues, review requests. */
const CONTENT_CREATING = /\/(issues|pulls)(\/\d+\/(comments|requested_reviewers|reviews))?$/;
/** POSTs that GitHub answers idempotently (adding a label or reaction twice leaves one). */
const IDEMPOTENT_POST = /\/(labels|reactions|requested_reviewers)$/;

export interface TransportOptions {
  redis: Redis;
  prefix: string;
  installationId: number;
  /** Space writes through Redis (the app's default is off so unit tests with nock do not wait a second per write). */
  spaceWrites?: boolean;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** First backoff for 5xx; doubled each attempt. */
  baseDelayMs?: number;
  /** Longest single wait (a longer retry-after gives up rather than hold the event for minutes). */
  maxDelayMs?: number;
  log?: (message: string) => void;
}

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD';

/** Whether a failed request may be sent again, and after how long. */
export function retryDelay(error: unknown, method: string, path: string, attempt: number, options: Required<Pick<TransportOptions, 'baseDelayMs' | 'maxDelayMs'>>): number | undefined {
  const failure = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  const status = failure.status ?? 0;
  const headers = failure.response?.headers ?? {};
  const secondary = status === 429 || (status === 403 && (/\bsecondary rate\b/i.test(failure.message ?? '') || headers['retry-after'] !== undefined));
  if (secondary) {
    // A secondary limit refused the request before acting on it: any request may be repeated.
    const after = Number(headers['retry-after']);
    const wait = Number.isFinite(after) && after > 0 ? after * 1000 : options.baseDelayMs * 2 ** attempt;
    return wait <= options.maxDelayMs ? wait : undefined;
  }
  // A 5xx may have been acted on: repeat only what is safe to repeat (a check-run POST is re-listed by its writer instead).
  const safe = !isWrite(method) || method === 'PATCH' || method === 'PUT' || method === 'DELETE' || IDEMPOTENT_POST.test(path);
  if (status >= 500 && safe) return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return undefined;
}

/** Installs write spacing and retries on a per-installation Octokit (after any request counter, so each attempt counts). */
export function harden(octokit: GitHubClient, options: TransportOptions): void {
  const { redis, prefix, installationId } = options;
  const settings = { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: options.baseDelayMs ?? 500, maxDelayMs: options.maxDelayMs ?? 60_000 };
  const log = options.log ?? (() => undefined);
  const lastKey = `${prefix}spacing:${installationId}:last`;
  const contentKey = `${prefix}spacing:${installationId}:content`;
  let sequence = 0;

  if (options.spaceWrites) octokit.hook.wrap('request', async (request, requestOptions) => {
    const { method, url } = octokit.request.endpoint.parse(requestOptions);
    const path = new URL(url).pathname;
    if (!isWrite(method) || /\/app\/installations\/\d+\/access_tokens$/.test(path)) return request(requestOptions);
    const content = method === 'POST' && CONTENT_CREATING.test(path);
    try {
      const slot = Number(await redis.eval(RESERVE, 2, lastKey, contentKey, Date.now(), WRITE_GAP_MS, content ? 1 : 0, CONTENT_CREATIONS_PER_MINUTE, MINUTE_MS, `${process.pid}:${Date.now()}:${++sequence}`));
      if (slot > Date.now()) await sleep(slot - Date.now());
    } catch (error) {
      // Without Redis the write goes out unspaced (Octokit's own throttling still spaces it in this process).
      log(`write spacing unavailable (Redis: ${(error as Error).message}); sending ${method} ${path} unspaced`);
    }
    return request(requestOptions);
  });

  octokit.hook.wrap('request', async (request, requestOptions) => {
    const { method, url } = octokit.request.endpoint.parse(requestOptions);
    const path = new URL(url).pathname;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = attempt < settings.maxAttempts ? retryDelay(error, method, path, attempt, settings) : undefined;
        if (wait === undefined) throw error;
        log(`GitHub answered ${(error as { status?: number }).status} to ${method} ${path}; retry ${attempt} in ${wait} ms`);
        await sleep(wait);
      }
    }
  });
}
