/**
 * Redelivered webhooks (same X-GitHub-Delivery) are handled once. A delivery is claimed while it
 * runs and marked done only after it was handled, so a crash mid-way lets a later redelivery
 * redo it once the claim expired.
 */
import type { Redis } from 'ioredis';

const CLAIM_MS = 60_000;
const DONE_MS = 3 * 24 * 3_600_000;

export async function handleOnce(redis: Redis, key: string, handle: () => Promise<void>): Promise<'handled' | 'duplicate'> {
  if ((await redis.set(key, 'running', 'PX', CLAIM_MS, 'NX')) !== 'OK') return 'duplicate';
  try {
    await handle();
  } catch (error) {
    await redis.del(key);
    throw error;
  }
  await redis.set(key, 'done', 'PX', DONE_MS);
  return 'handled';
}

export const dedupeKey = (cache: { key: (...parts: string[]) => string }, deliveryId: string) => cache.key('delivery', deliveryId);
