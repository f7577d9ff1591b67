/**
 * Redis-backed memory of the GitHub adapter, under one key prefix: what was already read
 * (config blobs, changed files, actor facts) and what was already written (check runs,
 * labels, reviewer requests), so an unchanged picture costs neither a read nor a write.
 * While Redis is unavailable every read is a miss (GitHub is read instead) and every write is
 * skipped: slower and costlier, never wrong.
 */
import type { Redis } from 'ioredis';
import { RedisFallback } from './fallback.js';

const MISS = 'the cache misses and GitHub is read instead';
const SKIP = 'nothing is cached until it is back';

export class Cache {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly fallback = new RedisFallback(),
  ) {}

  key(...parts: Array<string | number>): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  async getText(key: string): Promise<string | undefined> {
    const text = await this.fallback.run('cache reads', () => this.redis.get(key), null, MISS);
    return text ?? undefined;
  }

  /** Several keys in one round trip; a missing key (or all, while Redis is down) is undefined. */
  async getTexts(keys: readonly string[]): Promise<Array<string | undefined>> {
    const texts = await this.fallback.run('cache reads', () => this.redis.mget(...keys), keys.map(() => null), MISS);
    return texts.map((t) => t ?? undefined);
  }

  async setText(key: string, value: string, ttlMs: number): Promise<void> {
    await this.fallback.run('cache writes', () => this.redis.set(key, value, 'PX', ttlMs), null, SKIP);
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  setJson(key: string, value: unknown, ttlMs: number): Promise<void> {
    return this.setText(key, JSON.stringify(value), ttlMs);
  }

  exists(key: string): Promise<boolean> {
    return this.fallback.run('cache reads', async () => (await this.redis.exists(key)) > 0, false, MISS);
  }

  /** A hash's fields, or undefined when Redis could not say (unknown is not empty). */
  hashFields(key: string): Promise<Record<string, string> | undefined> {
    return this.fallback.run('cache reads', () => this.redis.hgetall(key), undefined, MISS);
  }

  async setHashField(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    await this.fallback.run('cache writes', () => this.redis.multi().hset(key, field, value).pexpire(key, ttlMs).exec(), null, SKIP);
  }

  async deleteHashField(key: string, field: string): Promise<void> {
    await this.fallback.run('cache writes', () => this.redis.hdel(key, field), null, SKIP);
  }

  /** A set's members, or undefined when Redis could not say. */
  members(key: string): Promise<string[] | undefined> {
    return this.fallback.run('cache reads', () => this.redis.smembers(key), undefined, MISS);
  }

  async addMembers(key: string, ttlMs: number, ...members: string[]): Promise<void> {
    await this.fallback.run('cache writes', () => this.redis.multi().sadd(key, ...members).pexpire(key, ttlMs).exec(), null, SKIP);
  }

  async removeMembers(key: string, ...members: string[]): Promise<void> {
    await this.fallback.run('cache writes', () => this.redis.srem(key, ...members), null, SKIP);
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
