/** Shared pieces of the bypass tests: deps on real Redis under a prefix of their own. */
import { RedisAuditStore } from '../../src/audit/redis-store.js';
import type { BypassDeps } from '../../src/bypass/deps.js';
import { OnceMarkers } from '../../src/bypass/once.js';
import { testRedis } from '../helpers/redis.js';

/** Deps on the shared Redis under a prefix of our own, with a clock the test moves. */
export function redisDeps(area: string) {
  const store = testRedis(area);
  const { redis, prefix } = store;
  let time = 0;
  const audit = new RedisAuditStore({ redis, prefix });
  const deps: BypassDeps = { audit, once: new OnceMarkers(redis, prefix), now: () => time };
  return {
    redis,
    prefix,
    deps,
    audit,
    setNow: (ms: number) => {
      time = ms;
    },
    close: async () => {
      await audit.close();
      await store.close();
    },
  };
}
