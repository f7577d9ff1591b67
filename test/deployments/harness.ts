/** GitHub faked at the HTTP level (nock), a real Redis under a key prefix of its own, in-memory fakes of our ports. */
import { Redis } from 'ioredis';
import nock from 'nock';
import type { EnsureInput, EscalationPort, EscalationTarget, PendingItem } from '../../src/escalation/types.js';
import { Cache } from '../../src/github/cache.js';
import { readersOn, type Readers } from '../../src/github/readers.js';

export const API = 'https://api.github.com';
export const APP_ID = 42;

export function testRedis(area: string): { redis: Redis; prefix: string; cleanup: () => Promise<void> } {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 1 });
  const prefix = `hitl-test:${area}:${Math.random().toString(36).slice(2)}:`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** The gate's readers over a cache of their own under `prefix` (nothing cached carries over between tests). */
export function testReaders(redis: Redis, prefix: string): Readers {
  return readersOn(new Cache(redis, `${prefix}${Math.random().toString(36).slice(2)}:`), APP_ID);
}

/** A `.hitl.yml` as the contents API returns it, or 404 when `text` is undefined. */
export function mockConfigFile(owner: string, repo: string, text: string | undefined, ref?: string): void {
  const scope = nock(API).get(`/repos/${owner}/${repo}/contents/.hitl.yml`).query(ref === undefined ? true : { ref });
  if (text === undefined) scope.reply(404, { message: 'Not Found' });
  else scope.reply(200, { type: 'file', encoding: 'base64', name: '.hitl.yml', path: '.hitl.yml', sha: 'cfg1', content: Buffer.from(text).toString('base64') });
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
