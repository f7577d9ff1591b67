/**
 * Serialises the evaluations of one pull request: an in-process queue (events of this process
 * run one after another) plus a short Redis lock (across processes). The callback learns
 * whether it had to wait, because then its payload may be older than the last evaluation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class PrLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = 30_000,
    private readonly maxWaitMs = 10_000,
  ) {}

  async run<T>(key: string, task: (waited: boolean) => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const mine = (previous ?? Promise.resolve()).catch(() => undefined).then(() => this.withRedisLock(key, previous !== undefined, task));
    this.tails.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }

  private async withRedisLock<T>(key: string, queued: boolean, task: (waited: boolean) => Promise<T>): Promise<T> {
    const token = randomUUID();
    let waited = queued;
    const deadline = Date.now() + this.maxWaitMs;
    // After maxWaitMs the lock holder is presumed dead (its TTL will clear the key); go on rather than drop the event.
    while ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) !== 'OK' && Date.now() < deadline) {
      waited = true;
      await sleep(25);
    }
    try {
      return await task(waited);
    } finally {
      await this.redis.eval(RELEASE, 1, key, token);
    }
  }
}
