/**
 * A Redis key held as a lease: it outlives its last renewal by `leaseMs`, so a live holder keeps
 * it as long as it works and a dead one's lapses soon (a redelivery or another process takes over).
 */
import type { Redis } from 'ioredis';
import type { RedisFallback } from '../github/fallback.js';

const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
export const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Renews `key` while it still holds `token`, every third of the lease, until the returned stop is called. */
export function renewLease(redis: Redis, key: string, token: string, leaseMs: number, fallback: RedisFallback, use: string, instead: string): () => void {
  const timer = setInterval(() => void fallback.run(use, () => redis.eval(RENEW, 1, key, token, leaseMs), 0, instead), leaseMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
