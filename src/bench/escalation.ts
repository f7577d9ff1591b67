/**
 * Escalation timers at scale on a real Redis (REDIS_URL, default 127.0.0.1:6379) under a private
 * prefix that is deleted afterwards: 100,000 items ensured (10,000 with --quick), their memory,
 * and how late 10,000 timers due within 2 s fire (2,000 with --quick). Run alone with
 * `node lib/bench/escalation.js`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { AuditSink } from '../audit/types.js';
import { EscalationEngine, QUEUE_NAME } from '../escalation/engine.js';
import { DEFAULT_LEVELS, itemId, stepJobId } from '../escalation/ladder.js';
import { deleteKeysUnder } from '../escalation/store.js';
import type { EnsureInput, GatePort } from '../escalation/types.js';
import type { BenchOptions, BenchRow } from './types.js';

const PARALLEL = 200;
const HOUR = 3_600_000;
const CONCURRENCY = 64;

const noAudit: AuditSink = { record: async () => undefined };
const noGitHub = async (): Promise<never> => {
  throw new Error('the bench makes no GitHub calls');
};

/** A pending checkpoint as the app ensures it: the built-in ladder, the SLA equal to escalate_after (the built-in default). */
function item(i: number, escalateAt: number): EnsureInput {
  return {
    installationId: 1 + (i % 50),
    owner: 'bench',
    repo: `repo-${i % 100}`,
    number: i,
    item: 'security_review',
    since: escalateAt - HOUR,
    deadline: escalateAt,
    escalateAt,
    levels: DEFAULT_LEVELS,
    notify: { channels: [], fromLevel: 3 },
  };
}

async function ensureAll(engine: EscalationEngine, count: number, dueAt: (i: number) => number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, count - i) }, (_, j) => engine.ensure(item(i + j, dueAt(i + j)))));
  }
  return performance.now() - start;
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

export async function escalationBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const pending = quick ? 10_000 : 100_000;
  const due = quick ? 2_000 : 10_000;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `hitl-bench:escalation:${randomBytes(6).toString('hex')}`;
  const redis = new Redis(redisUrl);
  const rows: BenchRow[] = [];
  const row = (metric: string, value: number, unit: string, how: string, figure?: string): number =>
    rows.push({ area: 'escalation', metric, value, unit, how, ...(figure === undefined ? {} : { figure }) });
  try {
    // 1. Scheduling and memory: timers an hour out, a producer-only engine, nothing fires.
    const before = await usedMemory(redis);
    const producer = await EscalationEngine.start({ redisUrl, prefix, octokitFor: noGitHub, audit: noAudit });
    const far = Date.now() + HOUR;
    const scheduleMs = await ensureAll(producer, pending, () => far);
    const after = await usedMemory(redis);
    const jobs = await producer.jobs.getDelayedCount();
    const shape = `the built-in 4-level ladder, SLA = escalate_after; ${jobs} delayed jobs for ${pending} items`;
    row('pending items measured', pending, 'items', `${pending} ensure() calls, ${PARALLEL} in flight; ${shape}`, 'timers_pending_measured');
    row('scheduling rate', round(pending / (scheduleMs / 1000), 0), 'timers/s', `${pending} ensure() calls, ${PARALLEL} in flight, each creating the item state and its level-1 delayed job`);
    row('Redis memory per pending item (INFO)', round((after - before) / pending, 0), 'bytes', `INFO memory used_memory before and after ${pending} pending items (state hash, delayed job hash, delayed sorted set and pending set entries, BullMQ's capped event stream); a shared server adds noise`, 'timer_bytes_per_item');
    let sampled = 0;
    const encodings = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const id = itemId(item(i, far));
      for (const key of [`${prefix}:${QUEUE_NAME}-state:item:${id}`, `${prefix}:${QUEUE_NAME}:${stepJobId(id, 1, 0)}`]) {
        sampled += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        encodings.add(String(await redis.call('OBJECT', 'ENCODING', key)));
      }
    }
    row('Redis memory per pending item (MEMORY USAGE)', round(sampled / 100, 0), 'bytes', `MEMORY USAGE of the state hash and the job hash of 100 items, averaged (encodings: ${[...encodings].join(', ')}); excludes the sorted set and set entries`);
    await producer.jobs.obliterate({ force: true });
    await producer.close();
    await deleteKeysUnder(redis, prefix);

    // 2. Lateness: timers due over 2 s, a worker whose gate check records when each fired.
    const lateness: number[] = [];
    let start = 0;
    const dueAt = (i: number): number => start + Math.floor((i * 2_000) / due);
    const gate: GatePort = {
      check: async (target) => {
        lateness.push(Date.now() - dueAt(target.number));
        return { pending: false };
      },
    };
    const worker = await EscalationEngine.start({ redisUrl, prefix, octokitFor: noGitHub, audit: noAudit, concurrency: CONCURRENCY });
    await worker.work(gate);
    start = Date.now() + Math.round(Math.max(3_000, (scheduleMs / pending) * due * 2));
    const secondScheduleMs = await ensureAll(worker, due, dueAt);
    const deadline = Date.now() + 60_000;
    while (lateness.length < due && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.close();
    const sorted = lateness.sort((a, b) => a - b);
    const how = `${sorted.length}/${due} timers due over 2 s (scheduled in ${round(secondScheduleMs / 1000)} s beforehand); lateness = when the job's gate check ran minus the due time; worker concurrency ${CONCURRENCY}`;
    row('firing lateness p50', percentile(sorted, 50), 'ms', how);
    row('firing lateness p99', percentile(sorted, 99), 'ms', how, 'timer_lateness_p99_ms');
    row('firing lateness max', sorted.at(-1) ?? NaN, 'ms', how);
  } finally {
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  escalationBench({ quick: process.argv.includes('--quick') }).then(
    (rows) => console.table(rows),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
