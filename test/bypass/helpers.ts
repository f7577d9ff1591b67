/** Shared pieces of the bypass tests: real webhook payloads, deps on real Redis. */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { RedisAuditStore } from '../../src/audit/redis-store.js';
import type { BypassDeps } from '../../src/bypass/deps.js';
import { OnceMarkers } from '../../src/bypass/once.js';
import { deletePrefix, testPrefix } from '../audit/redis-server.js';

export const API = 'https://api.github.com';

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}
const examples = JSON.parse(readFileSync('node_modules/@octokit/webhooks-examples/api.github.com/index.json', 'utf8')) as ExampleGroup[];

/** A deep copy of GitHub's own example payload for an event and action, to adapt per scenario. */
export function examplePayload<T = Record<string, any>>(name: string, action: string): T {
  const example = examples.find((group) => group.name === name)?.examples.find((e) => e.action === action);
  if (!example) throw new Error(`no ${name}.${action} example`);
  return structuredClone(example) as T;
}

export function config(yaml: string): ResolvedConfig {
  const loaded = loadConfig({ repository: yaml });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.config;
}

/** Deps on the shared Redis under a prefix of our own, with a clock the test moves. */
export function redisDeps(area: string) {
  const redis = new Redis({ maxRetriesPerRequest: 1 });
  const prefix = testPrefix(area);
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
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
