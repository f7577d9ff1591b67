/**
 * The demo's story checks what the app did, not what it should have done: with a `.hitl.yml` under
 * which docs are not low-risk, its first step misses and says which outcome did not happen.
 * In process: the stand-in, the app as serveHitl serves it, real Redis under a test prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoGitHub } from '../../src/demo/github.js';
import { Observer } from '../../src/demo/observer.js';
import { serveDemoApp, type DemoApp } from '../../src/demo/run.js';
import { runStory, STORY, verdict } from '../../src/demo/story.js';
import { APP_LOGIN, DEMO_APP_ID, DEMO_REPO, seedWorld } from '../../src/demo/world.js';
import { startStandIn, type StandIn } from '../../src/stand-in/index.js';
import { WebhookDriver } from '../../src/stand-in/webhooks.js';
import { testRedis } from '../helpers/redis.js';

const redis = testRedis('demo-story');
let standIn: StandIn;
let app: DemoApp;
let driver: WebhookDriver;

beforeAll(async () => {
  standIn = await startStandIn({ appId: DEMO_APP_ID, appLogin: APP_LOGIN });
  seedWorld(standIn);
  standIn.state.putFile(DEMO_REPO.owner, DEMO_REPO.repo, '.hitl.yml', 'classification:\n  low_risk_paths: ["nothing-is-low-risk/**"]\n');
  const started = await serveDemoApp(standIn, { env: {}, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: redis.prefix });
  if (!started.ok) throw new Error(started.error);
  app = started.app;
  driver = new WebhookDriver({ appUrl: app.served.url, secret: app.secret, concurrency: 1 });
}, 30_000);

afterAll(async () => {
  driver?.close();
  await app?.served.stop();
  await standIn?.stop();
  await redis.close();
});

describe('the demo story', () => {
  it('names the step whose expected outcome did not happen, and what it saw instead', async () => {
    const lines: string[] = [];
    const outcomes = await runStory(
      { gh: new DemoGitHub(standIn, driver, DEMO_REPO), standIn, observer: new Observer(standIn, DEMO_REPO), say: (line) => lines.push(line), patienceMs: 1_500 },
      STORY.slice(0, 1),
    );
    expect(outcomes).toEqual([{ title: 'A docs change passes on its own', ok: false, missed: ['`hitl` passes on #1 as automatic, and nobody is asked to review'] }]);
    // The narration still says what the app did: the docs PR went to peer review.
    expect(lines).toContain('   HITL    label `hitl:peer-review` on #1');
    expect(lines).toContain('   ✗ `hitl` passes on #1 as automatic, and nobody is asked to review: not within 1.5 s');
    expect(verdict(outcomes, 2)).toEqual({
      ok: false,
      lines: ['1 of 1 steps did not happen as expected:', '  "A docs change passes on its own": `hitl` passes on #1 as automatic, and nobody is asked to review'],
    });
  }, 30_000);
});
