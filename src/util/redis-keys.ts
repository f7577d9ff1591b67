import type { Redis } from 'ioredis';

/** Deletes every key that starts with `keyPrefix`, with SCAN (never FLUSHDB: the server may be shared). */
export async function deleteKeysStartingWith(redis: Redis, keyPrefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
