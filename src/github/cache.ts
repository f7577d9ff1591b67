/**
 * Redis-backed memory of the GitHub adapter, under one key prefix: what was already read
 * (config blobs, changed files, actor facts) and what was already written (check runs,
 * labels, reviewer requests), so an unchanged picture costs neither a read nor a write.
 */
import type { Redis } from 'ioredis';

export class Cache {
  constructor(readonly redis: Redis, readonly prefix: string) {}

  key(...parts: Array<string | number>): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    const text = await this.redis.get(key);
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  async setJson(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'PX', ttlMs);
  }

  /** Returns the cached value, or computes, stores and returns it. */
  async remember<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
    const cached = await this.getJson<T>(key);
    if (cached !== undefined) return cached;
    const value = await compute();
    await this.setJson(key, value, ttlMs);
    return value;
  }
}

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
