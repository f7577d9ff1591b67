/**
 * Serialises the evaluations of one pull request: an in-process queue (events of this process
 * run one after another, a burst coalesced into one waiting run) plus a short Redis lock (across
 * processes). The callback learns whether it had to wait, because then its payload may be older
 * than the last evaluation. Without Redis the in-process queue alone serialises (the events of
 * one PR reaching other processes meanwhile may overlap; each still reads fresh facts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisFallback } from '../github/fallback.js';
import { RELEASE, renewLease } from '../util/lease.js';


const LOCAL_ONLY = 'pull requests are serialised within this process only';

interface Queued {
  task: (waited: boolean) => Promise<unknown>;
  result: Promise<unknown>;
}

export class PrLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** The one evaluation per key waiting for the running one; a newer caller takes its place. */
  private readonly queued = new Map<string, Queued>();
  /** Evaluations that were never run because a newer one replaced them while they waited. */
  coalesced = 0;

  private readonly ttlMs: number;
  private readonly maxWaitMs: number;
  private readonly fallback: RedisFallback;

  constructor(
    private readonly redis: Redis,
    options: { ttlMs?: number; maxWaitMs?: number; fallback?: RedisFallback } = {},
  ) {
    // A lease renewed while the evaluation runs: a dead holder's lock lapses within seconds.
    this.ttlMs = options.ttlMs ?? 6_000;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.fallback = options.fallback ?? new RedisFallback();
  }

  /**
   * Runs `task` alone for `key`. While one runs, later callers share a single queued run of the
   * newest task: each evaluation reads fresh facts, so the waiting older ones would only repeat
   * its work and its writes. Every caller of one key must expect the same result type.
   */
  async run<T>(key: string, task: (waited: boolean) => Promise<T>): Promise<T> {
    const waiting = this.queued.get(key);
    if (waiting) {
      waiting.task = task;
      this.coalesced++;
      return waiting.result as Promise<T>;
    }
    const previous = this.tails.get(key);
    let mine: Promise<unknown>;
    if (previous === undefined) {
      mine = this.withRedisLock(key, false, task);
    } else {
      const entry: Queued = { task, result: Promise.resolve() };
      mine = entry.result = previous.catch(() => undefined).then(() => {
        this.queued.delete(key);
        return this.withRedisLock(key, true, entry.task);
      });
      this.queued.set(key, entry);
    }
    this.tails.set(key, mine);
    try {
      return (await mine) as T;
    } finally {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }

  private async withRedisLock<T>(key: string, queued: boolean, task: (waited: boolean) => Promise<T>): Promise<T> {
    const token = randomUUID();
    let waited = queued;
    const deadline = Date.now() + this.maxWaitMs;
    // After maxWaitMs the holder is presumed stuck; go on rather than drop the event.
    for (;;) {
      const taken = await this.acquire(key, token);
      // Without Redis another process may have evaluated a newer state meanwhile: the caller refetches, as after a wait.
      if (taken !== false) {
        waited ||= taken === undefined;
        break;
      }
      if (Date.now() >= deadline) break;
      waited = true;
      await sleep(25);
    }
    const stopRenewal = renewLease(this.redis, key, token, this.ttlMs, this.fallback, 'the pull-request lock', LOCAL_ONLY);
    try {
      return await task(waited);
    } finally {
      stopRenewal();
      await this.fallback.run('the pull-request lock', () => this.redis.eval(RELEASE, 1, key, token), 0, LOCAL_ONLY);
    }
  }

  /** Takes the Redis lock: true, false while another holds it, undefined when Redis is unavailable (the in-process queue still holds). */
  private acquire(key: string, token: string): Promise<boolean | undefined> {
    return this.fallback.run('the pull-request lock', async () => (await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) === 'OK', undefined, LOCAL_ONLY);
  }
}
