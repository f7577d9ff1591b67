/**
 * The escalation engine: BullMQ delayed jobs on Redis, one timer per item at a time, each with
 * a deterministic id (item, step, epoch) so a redelivered webhook or a second app process
 * re-adds the same job, which BullMQ ignores. start() makes the producer the gate tells what is
 * pending; work(gate) runs this process's worker, whose firing job re-reads the item's state and
 * asks the gate before it acts: a cancelled, acknowledged or already escalated item never acts on an
 * old timer, whether or not the timer could be removed.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AuditSink } from '../audit/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { performStep } from './actions.js';
import type { ChannelSettings } from './channels.js';
import type { GitHubClient } from '../github/client.js';
import { updateIssue } from '../github/issues.js';
import { DEFAULT_LEVELS, acknowledgedSchedule, breachJumpsToTop, intervalAt, itemId, retryJobId, slaJobId, stepAt, stepJobId } from './ladder.js';
import { RedisFallback } from '../github/fallback.js';
import { silentLog, type Log } from './log.js';
import { EscalationStore, toPendingItem, type ItemState } from './store.js';
import type { DirectEscalation, EnsureInput, EscalationPort, EscalationTarget, GatePort, PendingItem, PendingReader } from './types.js';

export interface EscalationEngineOptions {
  /** Default redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** BullMQ key prefix (and of the engine's own keys): isolates apps and tests sharing a Redis. Default "hitl". */
  prefix?: string;
  /** An installation's client (InstallationClients.installationClient). */
  octokitFor: (installationId: number) => Promise<GitHubClient>;
  audit: AuditSink;
  /** From the server's environment (channelsFromEnv), never from a repository. */
  channels?: ChannelSettings;
  clock?: Clock;
  log?: Log;
  /** Jobs processed at once by this process; default 4. */
  concurrency?: number;
  /** First retry delay of a job that threw (e.g. GitHub unreachable while checking the gate); default 30 s. */
  retryDelayMs?: number;
}

/**
 * A job's name is its kind; its data stays under 64 bytes (no kind, no defaults) so that, with
 * options of only its id and delay, the job's hash keeps Redis's compact encoding. `attempt`
 * counts retries after a throw (retried here, not by BullMQ, whose attempts and backoff options
 * would take the job's options past 64 bytes).
 */
type StepData = { id: string; level: number; epoch: number; by?: string; reason?: string; attempt?: number };
type SlaData = { id: string; attempt?: number };
type JobData = StepData | SlaData;
type Timer = { kind: 'step'; data: StepData } | { kind: 'sla'; data: SlaData };

export const QUEUE_NAME = 'escalation';
const ATTEMPTS = 4;

export class EscalationEngine implements EscalationPort, DirectEscalation, PendingReader {
  private worker: Worker<JobData> | undefined;

  private constructor(
    private readonly options: EscalationEngineOptions,
    private readonly url: string,
    private readonly redis: Redis,
    private readonly queue: Queue<JobData>,
    private readonly store: EscalationStore,
  ) {}

  /** Connects (failing fast when Redis is unreachable): a producer; work() adds the worker. */
  static async start(options: EscalationEngineOptions): Promise<EscalationEngine> {
    const url = options.redisUrl ?? 'redis://127.0.0.1:6379';
    const prefix = options.prefix ?? 'hitl';
    // The producer fails fast so a webhook handler never hangs on a dead Redis.
    const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await redis.connect();
    // Nothing reads BullMQ's event stream: 1,000 events instead of 10,000 keep its memory small.
    const queue = new Queue<JobData>(QUEUE_NAME, { connection: redis, prefix, streams: { events: { maxLen: 1_000 } } });
    const store = new EscalationStore(redis, `${prefix}:${QUEUE_NAME}-state`);
    const log = options.log ?? silentLog;
    // Without a listener a lost connection's 'error' would be thrown; the calls that fail meanwhile are retried by the app (retry.ts).
    const outage = new RedisFallback((message) => log.warn(message));
    queue.on('error', (error) => outage.fail('the escalation queue', error, 'escalation calls fail until it is back'));
    redis.on('ready', () => outage.recovered('the escalation queue'));
    // Initialised now, while Redis answers: a queue whose first command met an outage stayed broken after it.
    await queue.waitUntilReady();
    return new EscalationEngine(options, url, redis, queue, store);
  }

  /**
   * Runs this process's worker: a fired timer acts only after `gate` says its item is still
   * pending (the app's gate, which itself tells this engine what is pending: hence not in start()).
   */
  async work(gate: GatePort): Promise<void> {
    if (this.worker) throw new Error('the escalation worker already runs');
    const log = this.options.log ?? silentLog;
    const worker = new Worker<JobData>(QUEUE_NAME, (job) => this.process(job, gate), {
      // BullMQ creates (and closes) the worker's connections from these options.
      connection: { url: this.url, maxRetriesPerRequest: null } as ConnectionOptions,
      prefix: this.options.prefix ?? 'hitl',
      concurrency: this.options.concurrency ?? 4,
      // Finished jobs leave no trace, so a later climb of the same item can reuse the ids.
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    });
    worker.on('failed', (job, error) => log.warn(`escalation job ${job?.id ?? '?'} failed: ${error.message}`));
    worker.on('error', (error) => log.error(`escalation worker: ${error.message}`));
    this.worker = worker;
    await worker.waitUntilReady();
  }

  private get now(): number {
    return (this.options.clock ?? systemClock)();
  }

  async ensure(input: EnsureInput): Promise<void> {
    if (![input.since, input.deadline, input.escalateAt].every(Number.isFinite)) throw new Error(`escalation times of ${input.item} must be finite numbers`);
    await this.store.create({ ...input, levels: input.levels.length > 0 ? input.levels : DEFAULT_LEVELS });
    const state = await this.store.get(itemId(input));
    // Re-arming on every call heals a timer lost between create and add; the ids make it free.
    if (state) await this.arm(state);
  }

  async cancel(target: EscalationTarget, reason: string): Promise<void> {
    await this.resolve(itemId(target), reason);
  }

  async escalateNow(target: EscalationTarget, by: string, reason: string): Promise<PendingItem | undefined> {
    const state = await this.store.get(itemId(target));
    return state && this.jump(state, state.level + 1, by, reason);
  }

  /**
   * Creates the item unless it exists, then jumps to `level` now (never down: an item already at or
   * above it is left as it is). The item stays pending, climbing and reminding, until the GatePort
   * says it is resolved or it is cancelled.
   */
  async escalateTo(input: EnsureInput, level: number, by: string, reason: string): Promise<PendingItem | undefined> {
    await this.store.create({ ...input, levels: input.levels.length > 0 ? input.levels : DEFAULT_LEVELS });
    const state = await this.store.get(itemId(input));
    if (!state || state.level >= level) return state && toPendingItem(state);
    return this.jump(state, level, by, reason);
  }

  async acknowledge(target: EscalationTarget, by: string): Promise<PendingItem | undefined> {
    const state = await this.store.get(itemId(target));
    if (!state) return undefined;
    const now = this.now;
    const { until, nextAt } = acknowledgedSchedule(state.levels, state.level, state.nextAt, now);
    const epoch = await this.store.bump(state.id, { ackBy: by, ackUntil: until, nextAt });
    if (epoch === undefined) return undefined;
    await this.retire(state);
    await this.addStep({ id: state.id, level: state.level + 1, epoch }, nextAt);
    await this.armSla(state, nextAt);
    await this.record(state, 'acknowledged', by, { level: state.level, until });
    const updated = await this.store.get(state.id);
    return updated && toPendingItem(updated);
  }

  async listPending(installationId?: number): Promise<PendingItem[]> {
    const states = await this.store.list();
    return states.filter((s) => installationId === undefined || s.installationId === installationId).map(toPendingItem);
  }

  async pendingFor(targets: readonly EscalationTarget[]): Promise<PendingItem[]> {
    return (await this.store.getMany(targets.map(itemId))).map(toPendingItem);
  }

  /** Waits for the active jobs, then disconnects; timers stay in Redis for the next start. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.redis.quit();
  }

  /** For tests and the bench: the raw queue (job counts, cleanup). */
  get jobs(): Queue {
    return this.queue as Queue;
  }

  /** Runs the job; when it throws, schedules its next attempt (exponential backoff) and rethrows for the log. */
  private async process(job: Job<JobData>, gate: GatePort): Promise<void> {
    const timer = { kind: job.name, data: job.data } as Timer;
    try {
      await (timer.kind === 'sla' ? this.breach(timer.data.id, gate) : this.step(timer.data, gate));
    } catch (error) {
      const attempt = timer.data.attempt ?? 1;
      if (attempt < ATTEMPTS) {
        const baseId = job.id!.replace(/\.r\d+$/, '');
        const delayMs = (this.options.retryDelayMs ?? 30_000) * 2 ** (attempt - 1);
        await this.add(timer.kind, { ...timer.data, attempt: attempt + 1 }, retryJobId(baseId, attempt + 1), this.now + delayMs);
      }
      throw error;
    }
  }

  private async step(data: StepData, gate: GatePort): Promise<void> {
    const state = await this.store.get(data.id);
    if (!state || state.epoch !== data.epoch || state.level >= data.level) return;
    const answer = await gate.check(state);
    if (!answer.pending) return this.resolve(state.id, 'resolved', data);
    const octokit = await this.options.octokitFor(state.installationId);
    const now = this.now;
    const nextAt = now + intervalAt(state.levels, data.level);
    // The next timers go in before the claim: a crash between the two loses nothing.
    await this.addStep({ id: state.id, level: data.level + 1, epoch: data.epoch }, nextAt);
    await this.armSla(state, nextAt);
    if (!(await this.store.claim(state.id, data.epoch, data.level, nextAt))) return;
    const step = stepAt(state.levels, data.level);
    await this.record(state, 'escalated', data.by ?? 'hitl', { level: data.level, reminder: step.kind === 'reminder' }, data.reason);
    await performStep({ ...state, level: data.level, nextAt }, data.level, answer.diagnostics, {
      github: octokit,
      store: this.store,
      channels: this.options.channels ?? {},
      log: this.options.log ?? silentLog,
      now,
    });
  }

  private async breach(id: string, gate: GatePort): Promise<void> {
    const state = await this.store.get(id);
    if (!state || state.slaBreached) return;
    const answer = await gate.check(state);
    if (!answer.pending) return this.resolve(id, 'resolved');
    if (!(await this.store.setOnce(id, 'slaBreached', 1))) return;
    await this.record(state, 'sla_breached', 'hitl', { level: state.level, deadline: state.deadline });
    const top = state.levels.length;
    if (breachJumpsToTop(state.escalateAt, state.deadline) && state.level < top) await this.jump({ ...state, slaBreached: true }, top, 'hitl', 'SLA breached');
  }

  /** Moves the climb to `level` now, under a new epoch so every older timer of the item is void. */
  private async jump(state: ItemState, level: number, by: string, reason: string): Promise<PendingItem | undefined> {
    const now = this.now;
    const epoch = await this.store.bump(state.id, { nextAt: now, ackBy: '', ackUntil: '' });
    if (epoch === undefined) return undefined;
    await this.retire(state);
    await this.addStep({ id: state.id, level, epoch, by, reason }, now);
    await this.armSla(state, now);
    return toPendingItem({ ...state, epoch, nextAt: now, acknowledgedBy: undefined, acknowledgedUntil: undefined });
  }

  /**
   * Ends the item and its timers, the SLA timer's removal sent along with the state's (its item
   * may come back, and must not meet an old SLA timer); the step job that is running (`firing`)
   * ends by itself.
   */
  private async resolve(id: string, reason: string, firing?: StepData): Promise<void> {
    const [state] = await Promise.all([this.store.remove(id), this.queue.remove(slaJobId(id))]);
    if (!state) return;
    if (!(firing && firing.level === state.level + 1 && firing.epoch === state.epoch)) await this.retire(state);
    if (state.level === 0) return;
    await this.record(state, 'escalation_resolved', 'hitl', { level: state.level }, reason);
    if (state.trackingIssue !== undefined) await this.closeTrackingIssue(state);
  }

  private async closeTrackingIssue(state: ItemState): Promise<void> {
    try {
      await updateIssue(await this.options.octokitFor(state.installationId), state, state.trackingIssue!, { state: 'closed' });
    } catch {
      (this.options.log ?? silentLog).warn(`escalation: could not close tracking issue #${state.trackingIssue} of ${state.owner}/${state.repo}`);
    }
  }

  /** Removes the item's pending step timer; an active one returns 0 here and finds the new epoch or no state. */
  private async retire(state: ItemState): Promise<void> {
    await this.queue.remove(stepJobId(state.id, state.level + 1, state.epoch));
  }

  private async arm(state: ItemState): Promise<void> {
    await this.addStep({ id: state.id, level: state.level + 1, epoch: state.epoch }, state.nextAt);
    await this.armSla(state, state.nextAt);
  }

  /**
   * The SLA timer waits only while the deadline falls before the next step: until then, that
   * step's timer fires first and arms it. So a pending item holds one delayed job most of the
   * time (the built-in SLA equals escalate_after: the level-1 timer is the only one).
   */
  private async armSla(state: Pick<ItemState, 'id' | 'deadline' | 'slaBreached'>, nextAt: number): Promise<void> {
    if (!state.slaBreached && state.deadline < nextAt) await this.add('sla', { id: state.id }, slaJobId(state.id), state.deadline);
  }

  private addStep(data: StepData, at: number): Promise<void> {
    return this.add('step', data, stepJobId(data.id, data.level, data.epoch), at);
  }

  private async add(kind: Timer['kind'], data: JobData, jobId: string, at: number): Promise<void> {
    await this.queue.add(kind, data, { jobId, delay: Math.max(0, at - this.now) });
  }

  private async record(state: ItemState, action: 'escalated' | 'acknowledged' | 'escalation_resolved' | 'sla_breached', actor: string, details: Record<string, number | boolean>, reason?: string): Promise<void> {
    await this.options.audit.record({
      at: this.now,
      installationId: state.installationId,
      repo: `${state.owner}/${state.repo}`,
      ...(state.subject.kind === 'pull_request' ? { pr: state.number } : {}),
      actor,
      action,
      checkpoint: state.item,
      ...(reason ? { reason } : {}),
      details: { ...details, issue: state.number },
    });
  }
}
