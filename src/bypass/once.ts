/**
 * "Only once" across processes and webhook redeliveries: a Redis key set with NX. GitHub writes
 * are scarce, so a comment or an issue is only written by whoever claims its key first. The same
 * keyspace holds the little state that bypass auditing needs between webhooks (put/take).
 */
import type { Redis } from 'ioredis';

const DAY = 86_400_000;

export class OnceMarkers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hitl:',
  ) {}

  /** True for the first caller of a key; false while the key exists. */
  async claim(key: string, ttlMs = 90 * DAY): Promise<boolean> {
    return (await this.redis.set(this.keyOf(key), String(Date.now()), 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Gives a claim back after the write it guarded failed, so that a retry may try again. */
  async release(key: string): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  /** Remembers a value under a key (state that must outlive the process, such as a bypass in force). */
  async put(key: string, value: string, ttlMs = 90 * DAY): Promise<void> {
    await this.redis.set(this.keyOf(key), value, 'PX', ttlMs);
  }

  /** Reads a value without forgetting it; null when absent. */
  async get(key: string): Promise<string | null> {
    return this.redis.get(this.keyOf(key));
  }

  /** Reads and forgets a value in one step, so that only one caller sees it. */
  async take(key: string): Promise<string | null> {
    return this.redis.getdel(this.keyOf(key));
  }

  private keyOf(key: string): string {
    return `${this.prefix}once:${key}`;
  }
}
