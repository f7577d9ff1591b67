/**
 * Escalation timers at scale on a real Redis (REDIS_URL, default 127.0.0.1:6379) under a private
 * prefix that is deleted afterwards: 10,000 items ensured, their memory, and how late their
 * timers fire against the due time. Run alone with `node lib/bench/escalation.js`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { AuditSink } from '../audit/types.js';
import { EscalationEngine, QUEUE_NAME } from '../escalation/engine.js';
import { itemId, slaJobId, stepJobId } from '../escalation/ladder.js';
import { deleteKeysUnder } from '../escalation/store.js';
import type { EnsureInput, GatePort } from '../escalation/types.js';
import type { BenchRow, BenchSection } from './types.js';

const TIMERS = 10_000;
const PARALLEL = 200;
const HOUR = 3_600_000;

const noAudit: AuditSink = { record: async () => undefined };
const noGitHub = async (): Promise<never> => {
  throw new Error('the bench makes no GitHub calls');
};

function item(i: number, escalateAt: number): EnsureInput {
  return {
    installationId: 1,
    owner: 'bench',
    repo: `repo-${i % 100}`,
    number: i,
    item: 'security_review',
    since: escalateAt - HOUR,
    deadline: escalateAt + HOUR,
    escalateAt,
    levels: [{ level: 1, timeoutMs: HOUR }],
    notify: { channels: [], fromLevel: 3 },
  };
}

async function ensureAll(engine: EscalationEngine, dueAt: (i: number) => number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < TIMERS; i += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, TIMERS - i) }, (_, j) => engine.ensure(item(i + j, dueAt(i + j)))));
  }
  return performance.now() - start;
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

export const escalationBench: BenchSection = async () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `hitl-bench:escalation:${randomBytes(6).toString('hex')}`;
  const redis = new Redis(redisUrl);
  const rows: BenchRow[] = [];
  const row = (metric: string, value: number, unit: string, how: string): number => rows.push({ area: 'escalation', metric, value, unit, how });
  try {
    // 1. Scheduling and memory: timers an hour out, a producer-only engine, nothing fires.
    const before = await usedMemory(redis);
    const producer = await EscalationEngine.start({ redisUrl, prefix, octokitFor: noGitHub, audit: noAudit });
    const far = Date.now() + HOUR;
    const scheduleMs = await ensureAll(producer, () => far);
    const after = await usedMemory(redis);
    row('scheduling rate', round(TIMERS / (scheduleMs / 1000), 0), 'timers/s', `${TIMERS} ensure() calls, ${PARALLEL} in flight, each creating the item state and its level-1 and SLA delayed jobs`);
    row('Redis memory per pending item (INFO)', round((after - before) / TIMERS, 0), 'bytes', `INFO memory used_memory before and after ${TIMERS} pending items (state hash + 2 delayed jobs + index entries); a shared server adds noise`);
    let sampled = 0;
    for (let i = 0; i < 100; i++) {
      const id = itemId(item(i, far));
      const keys = [`${prefix}:${QUEUE_NAME}-state:item:${id}`, `${prefix}:${QUEUE_NAME}:${stepJobId(id, 1, 0)}`, `${prefix}:${QUEUE_NAME}:${slaJobId(id)}`];
      for (const key of keys) sampled += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }
    row('Redis memory per pending item (MEMORY USAGE)', round(sampled / 100, 0), 'bytes', 'MEMORY USAGE of the state hash and both job hashes of 100 items, averaged; excludes the delayed sorted set and index entries');
    await producer.jobs.obliterate({ force: true });
    await producer.close();
    await deleteKeysUnder(redis, prefix);

    // 2. Lateness: timers due over 2 s, a worker (concurrency 16) whose gate check records when each fired.
    const lateness: number[] = [];
    let due = 0;
    const dueAt = (i: number): number => due + Math.floor((i * 2_000) / TIMERS);
    const gate: GatePort = {
      check: async (target) => {
        lateness.push(Date.now() - dueAt(target.number));
        return { pending: false };
      },
    };
    const worker = await EscalationEngine.start({ redisUrl, prefix, octokitFor: noGitHub, audit: noAudit, concurrency: 16 });
    await worker.work(gate);
    due = Date.now() + Math.round(Math.max(3_000, scheduleMs * 2));
    const secondScheduleMs = await ensureAll(worker, dueAt);
    const deadline = Date.now() + 60_000;
    while (lateness.length < TIMERS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.close();
    const sorted = lateness.sort((a, b) => a - b);
    const how = `${sorted.length}/${TIMERS} timers due over 2 s (scheduled in ${round(secondScheduleMs / 1000)} s beforehand); lateness = when the job's gate check ran minus the due time; worker concurrency 16; at 5,000 due per second the worker's throughput, not the timer, sets the tail`;
    row('firing lateness p50', percentile(sorted, 50), 'ms', how);
    row('firing lateness p99', percentile(sorted, 99), 'ms', how);
    row('firing lateness max', sorted.at(-1) ?? NaN, 'ms', how);
  } finally {
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  }
  return rows;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  escalationBench().then(
    (rows) => console.table(rows),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
