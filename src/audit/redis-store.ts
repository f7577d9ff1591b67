/**
 * The durable audit log: one Redis stream, append-only, every entry carrying its installation.
 * Stream ids are taken from the entry's `at` (`<at>-*`), so a time range is an id range. An entry
 * written after a later one (buffered while Redis was down, or a slower process) gets the id
 * right after the stream's last one instead; queries bounded by `until` therefore read `lateness` further and
 * filter on `at`.
 *
 * Redis being down loses nothing: entries wait in a bounded in-memory buffer and are written in
 * order when Redis answers again. Only when the buffer is full are new entries dropped, with an
 * error line each time the bound is first hit.
 */
import type { Redis } from 'ioredis';
import type { AuditEntry, AuditQuery, AuditReader, AuditSink } from './types.js';

export interface AuditLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RedisAuditStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. "hitl:" (the stream is `<prefix>audit`). */
  prefix?: string;
  /** Entries kept in memory while Redis is unreachable. */
  maxBuffered?: number;
  /** How much later than its `at` an entry may have been written (bounds `until` queries). */
  latenessMs?: number;
  /** How often a non-empty buffer retries while Redis is down. */
  retryMs?: number;
  log?: AuditLog;
}

export interface AuditScan extends AuditQuery {
  /** Newest first (the dashboard); oldest first otherwise (export). */
  newestFirst?: boolean;
}

const BATCH = 500;
const silent: AuditLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The entry as stored: everything but the id, which the stream assigns. */
const encode = ({ id: _id, ...entry }: AuditEntry): string => JSON.stringify(entry);

function decode(id: string, fields: string[]): AuditEntry | undefined {
  const index = fields.indexOf('entry');
  if (index < 0) return undefined;
  try {
    return { ...(JSON.parse(fields[index + 1] ?? '') as AuditEntry), id };
  } catch {
    return undefined; // a foreign or damaged entry is skipped, never a crash
  }
}

const matches = (entry: AuditEntry, q: AuditQuery) =>
  (q.since === undefined || entry.at >= q.since) &&
  (q.until === undefined || entry.at <= q.until) &&
  (q.repo === undefined || entry.repo.toLowerCase() === q.repo.toLowerCase()) &&
  (q.actor === undefined || entry.actor.toLowerCase() === q.actor.toLowerCase()) &&
  (q.action === undefined || entry.action === q.action);

/** `(id` is Redis' exclusive bound: the next page starts after the last id read. */
const exclusive = (id: string) => `(${id}`;

export class RedisAuditStore implements AuditSink, AuditReader {
  readonly key: string;
  private readonly redis: Redis;
  private readonly maxBuffered: number;
  private readonly latenessMs: number;
  private readonly retryMs: number;
  private readonly log: AuditLog;
  private readonly buffer: AuditEntry[] = [];
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private droppedSinceFull = 0;
  /** Entries dropped because the buffer was full, since this store started (a metric). */
  dropped = 0;

  constructor(options: RedisAuditStoreOptions) {
    this.redis = options.redis;
    this.key = `${options.prefix ?? 'hitl:'}audit`;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.latenessMs = options.latenessMs ?? 24 * 3_600_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.log = options.log ?? silent;
    this.redis.on('ready', this.onReady);
  }

  /** Resolves once the entry is in Redis, or buffered in memory when Redis is unreachable. */
  async record(entry: AuditEntry): Promise<void> {
    if (this.buffer.length >= this.maxBuffered) {
      if (this.droppedSinceFull === 0) {
        this.log.error(`audit: buffer full (${this.maxBuffered} entries waiting for Redis): dropping new entries until Redis is back`);
      }
      this.droppedSinceFull++;
      this.dropped++;
      return;
    }
    this.buffer.push(entry);
    await this.flush();
  }

  /** Entries waiting for Redis. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Writes the buffer in order; stops at the first failure and tries again later. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops retrying; the caller closes the Redis connection. Entries still buffered are reported. */
  async close(): Promise<void> {
    this.redis.off('ready', this.onReady);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.flush();
    if (this.buffer.length > 0) this.log.error(`audit: ${this.buffer.length} entries could not be written to Redis before shutdown`);
  }

  async query(query: AuditScan): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    for await (const entry of this.scan(query)) {
      found.push(entry);
      if (query.limit !== undefined && found.length >= query.limit) break;
    }
    return found;
  }

  /** Every matching entry, page by page, without holding the whole log in memory. */
  async *scan(query: AuditScan): AsyncGenerator<AuditEntry> {
    let low = query.since === undefined ? '-' : String(Math.max(0, query.since));
    let high = query.until === undefined ? '+' : String(query.until + this.latenessMs);
    for (;;) {
      const page = query.newestFirst
        ? await this.redis.xrevrange(this.key, high, low, 'COUNT', BATCH)
        : await this.redis.xrange(this.key, low, high, 'COUNT', BATCH);
      for (const [id, fields] of page) {
        const entry = decode(id, fields);
        if (entry && matches(entry, query)) yield entry;
      }
      const last = page[page.length - 1];
      if (page.length < BATCH || !last) return;
      if (query.newestFirst) high = exclusive(last[0]);
      else low = exclusive(last[0]);
    }
  }

  private readonly onReady = () => {
    if (this.buffer.length > 0) void this.flush();
  };

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const entry = this.buffer[0]!;
      try {
        await this.append(entry);
      } catch (error) {
        this.log.warn(`audit: Redis unavailable (${(error as Error).message}); ${this.buffer.length} entries buffered`);
        this.scheduleRetry();
        return;
      }
      this.buffer.shift();
    }
    if (this.droppedSinceFull > 0) {
      this.log.error(`audit: Redis is back; ${this.droppedSinceFull} entries were dropped while the buffer was full`);
      this.droppedSinceFull = 0;
    }
  }

  private async append(entry: AuditEntry): Promise<void> {
    const data = encode(entry);
    let ms = Math.max(0, Math.floor(entry.at));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.redis.xadd(this.key, `${ms}-*`, 'entry', data);
        return;
      } catch (error) {
        // The stream already holds a later id: keep the entry right after it, as close to `at` as the stream allows.
        if (attempt >= 5 || !/equal or smaller than the target stream top item/i.test((error as Error).message)) throw error;
        const [top] = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
        ms = Math.max(ms, Number(top?.[0].split('-')[0] ?? 0));
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
