/**
 * "Only once" across processes and webhook redeliveries: a Redis key set with NX. GitHub writes
 * are scarce, so a comment or an issue is only written by whoever claims its key first.
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

  private keyOf(key: string): string {
    return `${this.prefix}once:${key}`;
  }
}
