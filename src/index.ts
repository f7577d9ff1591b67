/**
 * Wiring only: the HITL Probot app with its Redis connection and ports. `npm start` goes
 * through server.ts; `probot run ./lib/index.js` loads the default export.
 */
import { Redis } from 'ioredis';
import type { Probot } from 'probot';
import { createApp, type AppDeps, type HitlApp } from './handlers/app.js';

export { createApp };
export type { AppDeps, HitlApp };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The app as deployed: Redis from REDIS_URL; the audit and escalation ports are added here as their areas land. */
export function productionApp(redis = new Redis(process.env.REDIS_URL ?? DEFAULT_REDIS_URL)): HitlApp {
  return createApp({ redis });
}

/** Connects to Redis only when Probot loads the app, not on import. */
export default (app: Probot) => productionApp()(app);
