/** Real Redis for tests, under a prefix of one's own; cleanup deletes only that prefix (never flushdb). */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysStartingWith } from '../../src/util/redis-keys.js';

export interface TestRedis {
  redis: Redis;
  prefix: string;
  /** Deletes every key under the prefix. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function testRedis(area: string): TestRedis {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `hitl-test:${area}:${randomUUID().slice(0, 8)}:`;
  const clear = () => deleteKeysStartingWith(redis, prefix);
  return { redis, prefix, clear, close: async () => { await clear(); redis.disconnect(); } };
}
