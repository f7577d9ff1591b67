/**
 * A private redis-server on a free port, with AOF in a temporary directory, that a test can
 * stop and start again: the only way to prove that nothing is lost while Redis is down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One raw PING over TCP: no client library, so nothing is left reconnecting in the background. */
export function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await pings(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'hitl-redis-')));
    await server.up();
    return server;
  }

  async up(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
    await waitForPing(this.port);
  }

  async down(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A ready connection the way the app makes one for a producer: fail fast, reconnect quickly. */
  async connect(): Promise<Redis> {
    const redis = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return redis;
  }
}

/** A key prefix of our own on the shared test Redis (never flushed: other tests use it too). */
export const testPrefix = (area: string) => `hitl-test:${area}:${Math.random().toString(36).slice(2, 10)}:`;

export { deleteKeysStartingWith as deletePrefix } from '../../src/util/redis-keys.js';
