/**
 * The demo's Redis: the one at REDIS_URL when it is set, else a private `redis-server` on a free
 * loopback port with nothing persisted, stopped when the demo ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface DemoRedis {
  url: string;
  /** How the narration names it. */
  description: string;
  stop(): Promise<void>;
}

export type DemoRedisResult = { ok: true; redis: DemoRedis } | { ok: false; error: string };

export const NO_REDIS =
  'hitl demo: needs Redis: set REDIS_URL to a running one, or install redis-server (apt-get install redis-server) and the demo starts its own';

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  // No pid: it never started (not installed).
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const hardStop = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(hardStop);
}

/** A `redis-server` of our own: loopback only, no RDB or AOF files, eviction off as BullMQ needs. */
async function startPrivate(): Promise<DemoRedisResult> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hitl-demo-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir, '--loglevel', 'warning'];
  // Its own process group: Ctrl-C in the terminal reaches the demo, which stops Redis after the app.
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL'); // the demo ended without stop(): leave nothing behind
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const cleanUp = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  let spawnFailed = false;
  const failedToSpawn = new Promise<DemoRedisResult>((resolve) =>
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnFailed = true;
      resolve({ ok: false, error: error.code === 'ENOENT' ? NO_REDIS : `hitl demo: cannot start redis-server: ${error.message}` });
    }),
  );
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async (): Promise<DemoRedisResult> => {
    for (let attempt = 0; attempt < 50; attempt++) {
      if (spawnFailed || child.exitCode !== null) break;
      if (await answers(url)) {
        return { ok: true, redis: { url, description: `a private redis-server on 127.0.0.1:${port}`, stop: cleanUp } };
      }
      await sleep(100);
    }
    return { ok: false, error: `hitl demo: redis-server did not start: ${stderr.trim().split('\n').pop() ?? 'no output'}` };
  })();
  const result = await Promise.race([failedToSpawn, ready]);
  if (!result.ok) await cleanUp();
  return result;
}

export async function demoRedis(env: NodeJS.ProcessEnv): Promise<DemoRedisResult> {
  const url = env.REDIS_URL;
  if (url) return { ok: true, redis: { url, description: `REDIS_URL (${url.replace(/\/\/[^@]*@/, '//***@')})`, stop: async () => undefined } };
  return startPrivate();
}
