import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { handleOnce } from '../../src/handlers/dedupe.js';
import { headAt } from '../../src/policy/evidence.js';
import { PrLock } from '../../src/pipeline/lock.js';
import { queuedPullNumbers } from '../../src/handlers/merge-group.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';

let store: TestRedis;
beforeAll(() => {
  store = testRedis('gate-units');
});
afterAll(async () => {
  await store.close();
});

describe('gate plumbing', () => {
  it('reads the PR numbers of a merge-queue head ref', () => {
    expect(queuedPullNumbers('refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64')).toEqual([104]);
    expect(queuedPullNumbers('refs/heads/feature/pr-1-abcdef1')).toEqual([]);
  });

  it('maps a command comment to the head it was written against, and to "unknown" before any', () => {
    const heads = [{ sha: 'a', at: 100_000 }, { sha: 'b', at: 200_000 }];
    expect([headAt(heads, 50_000), headAt(heads, 150_000), headAt(heads, 250_000)]).toEqual(['unknown', 'a', 'b']);
  });

  it('maps a comment stamped in a push’s second to the head before the push (timestamps are whole seconds)', () => {
    const heads = [{ sha: 'a', at: 100_000 }, { sha: 'b', at: 200_000 }];
    expect([headAt(heads, 200_000), headAt(heads, 200_999), headAt(heads, 201_000), headAt(heads, 100_000)]).toEqual(['a', 'a', 'b', 'unknown']);
    // A head first seen by the app's clock mid-second: the rest of that second is still ambiguous.
    expect(headAt([{ sha: 'a', at: 100_000 }, { sha: 'b', at: 200_400 }], 200_000)).toBe('a');
  });

  it('runs evaluations of one PR one at a time, across two lock instances sharing Redis, and tells the later one it waited', async () => {
    const [first, second] = [new PrLock(store.redis), new PrLock(store.redis)];
    const key = `${store.prefix}lock:pr`;
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = first.run(key, async (waited) => {
      log.push(`a start ${waited}`);
      await gate;
      log.push('a end');
    });
    await new Promise((r) => setTimeout(r, 20));
    const b = second.run(key, async (waited) => {
      log.push(`b start ${waited}`);
    });
    await new Promise((r) => setTimeout(r, 60));
    release();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start false', 'a end', 'b start true']);
  });

  it('handles a delivery once, and again after a failed attempt (so a redelivery can redo it)', async () => {
    const key = `${store.prefix}delivery:x`;
    let runs = 0;
    await expect(handleOnce(store.redis, key, async () => { runs++; throw new Error('crash'); })).rejects.toThrow('crash');
    expect(await handleOnce(store.redis, key, async () => { runs++; })).toBe('handled');
    expect(await handleOnce(store.redis, key, async () => { runs++; })).toBe('duplicate');
    expect(runs).toBe(2);
  });
});
