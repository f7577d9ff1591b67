/** The deployments tests' readers on real Redis, and in-memory fakes of our ports. */
import type { Redis } from 'ioredis';
import type { EnsureInput, EscalationPort, EscalationTarget, PendingItem } from '../../src/escalation/types.js';
import { Cache } from '../../src/github/cache.js';
import { readersOn, type Readers } from '../../src/github/readers.js';

export const APP_ID = 42;

/** The gate's readers over a cache of their own under `prefix` (nothing cached carries over between tests). */
export function testReaders(redis: Redis, prefix: string): Readers {
  return readersOn(new Cache(redis, `${prefix}${Math.random().toString(36).slice(2)}:`), APP_ID);
}

/** Records a request body for exact assertions after the call. */
export function capture(): { bodies: unknown[]; match: (body: unknown) => boolean } {
  const bodies: unknown[] = [];
  return { bodies, match: (body) => (bodies.push(body), true) };
}

export class FakeEscalation implements EscalationPort {
  readonly ensured: EnsureInput[] = [];
  readonly cancelled: Array<{ target: EscalationTarget; reason: string }> = [];
  async ensure(item: EnsureInput): Promise<void> {
    this.ensured.push(item);
  }
  async cancel(target: EscalationTarget, reason: string): Promise<void> {
    this.cancelled.push({ target, reason });
  }
  async escalateNow(): Promise<undefined> {
    throw new Error('not used by the rollback checkpoint');
  }
  async acknowledge(): Promise<undefined> {
    throw new Error('not used by the rollback checkpoint');
  }
  async listPending(): Promise<PendingItem[]> {
    return [];
  }
}
