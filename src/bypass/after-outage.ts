/**
 * Work that must happen exactly once and cannot without Redis (its once-claims live there), such
 * as recording a merge around the gate: tried at once; when it fails while Redis is unavailable
 * it waits in memory and runs again as soon as Redis is back (and on a backoff timer), where the
 * claims make a second run after a redelivery a no-op. Bounded: beyond `capacity` waiting tasks a
 * new one is refused with an error line, never dropped silently.
 */
import type { Redis } from 'ioredis';

export interface AfterOutageOptions {
  log: { warn(message: string): void; error(message: string): void };
  capacity?: number;
  retryMs?: number;
}

interface Waiting {
  name: string;
  run: () => Promise<void>;
}

export class AfterRedisOutage {
  private readonly waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: AfterOutageOptions,
  ) {
    redis.on('ready', this.onReady);
  }

  /** Tasks waiting for Redis. */
  get size(): number {
    return this.waiting.length;
  }

  /** Runs `task`; if it fails while Redis is unavailable, it waits and runs again once Redis is back. */
  async run(name: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      if (this.redis.status === 'ready') throw error;
      this.defer({ name, run: task }, error as Error);
    }
  }

  /** Stops retrying (at shutdown); tasks still waiting are reported. */
  stop(): void {
    this.redis.off('ready', this.onReady);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length > 0) this.options.log.error(`${this.waiting.length} task(s) waiting for Redis were not run before shutdown: ${this.waiting.map((w) => w.name).join(', ')}`);
  }

  private defer(task: Waiting, error: Error): void {
    if (this.waiting.length >= (this.options.capacity ?? 1000)) {
      this.options.log.error(`${task.name}: not run (Redis unavailable: ${error.message}) and ${this.waiting.length} tasks already wait for it`);
      return;
    }
    this.waiting.push(task);
    this.options.log.warn(`${task.name}: deferred until Redis is back (${error.message})`);
    this.schedule();
  }

  private readonly onReady = () => {
    if (this.waiting.length > 0) void this.drain();
  };

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.options.retryMs ?? 5_000);
    this.timer.unref();
  }

  /** Runs the waiting tasks in order; one failing while Redis is still away stops the round. */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.waiting.length > 0) {
        const task = this.waiting[0]!;
        try {
          await task.run();
        } catch (error) {
          if (this.redis.status !== 'ready') {
            this.schedule();
            return;
          }
          this.options.log.error(`${task.name}: failed after Redis came back: ${(error as Error).message}`);
        }
        this.waiting.shift();
      }
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }
}
