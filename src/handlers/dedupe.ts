/**
 * Redelivered webhooks (same X-GitHub-Delivery) are handled once. A delivery is claimed with a
 * short lease that the handling process renews while it runs, and marked done only after it was
 * handled. A second delivery of a claimed one waits: done → it is a duplicate; the claim lapsed
 * (its process died mid-way) or was dropped (the handler failed) → it takes over and handles it.
 * While Redis is unavailable, deliveries are remembered in this process instead.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { RedisFallback } from '../github/fallback.js';
import { RELEASE, renewLease } from '../util/lease.js';

const DONE = 'done';
const DONE_MS = 3 * 24 * 3_600_000;
const USE = 'delivery dedupe';
const IN_MEMORY = 'deliveries are remembered in this process only';

/** Deliveries seen by this process while Redis was unavailable (bounded: the oldest are forgotten). */
export class DeliveryMemory {
  private readonly states = new Map<string, 'running' | 'done'>();

  constructor(private readonly capacity = 10_000) {}

  has(key: string): boolean {
    return this.states.has(key);
  }

  set(key: string, state: 'running' | 'done'): void {
    this.states.delete(key);
    this.states.set(key, state);
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
  }

  forget(key: string): void {
    this.states.delete(key);
  }
}

export interface OnceOptions {
  /** How long a claim outlives its last renewal: how soon a redelivery takes over from a dead process. */
  leaseMs?: number;
  /** How long a second delivery waits for a live claim before it counts as a duplicate. */
  maxWaitMs?: number;
  memory?: DeliveryMemory;
  fallback?: RedisFallback;
}

type Claim = 'claimed' | 'duplicate' | 'unavailable';

export async function handleOnce(redis: Redis, key: string, handle: () => Promise<void>, options: OnceOptions = {}): Promise<'handled' | 'duplicate'> {
  const leaseMs = options.leaseMs ?? 6_000;
  const memory = options.memory ?? new DeliveryMemory();
  const fallback = options.fallback ?? new RedisFallback();
  // Seen during an outage (possibly still running): Redis does not know of it.
  if (memory.has(key)) return 'duplicate';
  const claim = `running:${randomUUID()}`;
  const outcome = await claimOrWait(redis, key, claim, leaseMs, options.maxWaitMs ?? 3 * leaseMs, fallback);
  if (outcome === 'duplicate') return 'duplicate';
  if (outcome === 'unavailable') {
    memory.set(key, 'running');
    try {
      await handle();
    } catch (error) {
      memory.forget(key);
      throw error;
    }
    memory.set(key, DONE);
    return 'handled';
  }

  const stopRenewal = renewLease(redis, key, claim, leaseMs, fallback, USE, IN_MEMORY);
  try {
    await handle();
  } catch (error) {
    stopRenewal();
    // Only our own claim: a redelivery may have taken over meanwhile.
    await fallback.run(USE, () => redis.eval(RELEASE, 1, key, claim), 0, IN_MEMORY);
    throw error;
  }
  stopRenewal();
  if (!(await fallback.run(USE, async () => (await redis.set(key, DONE, 'PX', DONE_MS)) === 'OK', false, IN_MEMORY))) memory.set(key, DONE);
  return 'handled';
}

async function claimOrWait(redis: Redis, key: string, claim: string, leaseMs: number, maxWaitMs: number, fallback: RedisFallback): Promise<Claim> {
  const deadline = Date.now() + maxWaitMs;
  try {
    for (;;) {
      if ((await redis.set(key, claim, 'PX', leaseMs, 'NX')) === 'OK') break;
      const held = await redis.get(key);
      if (held === DONE) return 'duplicate';
      if (held === null) continue; // the holder failed or its lease lapsed: claim it
      // A live holder renews its lease; a dead one's lapses within leaseMs.
      if (Date.now() >= deadline) return 'duplicate';
      await sleep(Math.min(100, leaseMs / 4));
    }
  } catch (error) {
    fallback.fail(USE, error, IN_MEMORY);
    return 'unavailable';
  }
  fallback.recovered(USE);
  return 'claimed';
}

export const dedupeKey = (cache: { key: (...parts: string[]) => string }, deliveryId: string) => cache.key('delivery', deliveryId);
