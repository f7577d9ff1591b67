/**
 * Keeps escalation scheduling from being lost while Redis is unavailable: an `ensure` or
 * `cancel` that fails is queued in memory and sent again with backoff until the engine takes it.
 * Per item only the newest call is kept (a cancel after an ensure means the item is resolved;
 * an ensure after a cancel means it is pending again), so the queue holds at most one entry per
 * item; it is bounded, and a call refused because it is full is logged, never dropped silently.
 */
import { itemKey } from './ladder.js';
import type { DirectEscalation, EnsureInput, EscalationPort, EscalationTarget, PendingItem, PendingReader } from './types.js';

type Call = { kind: 'ensure'; input: EnsureInput } | { kind: 'cancel'; target: EscalationTarget; reason: string };

export interface RetryOptions {
  log: { warn(message: string): void; error(message: string): void };
  /** Items queued at most. */
  capacity?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export class RetryingEscalation implements EscalationPort, DirectEscalation, PendingReader {
  private readonly queued = new Map<string, Call>();
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;

  constructor(
    private readonly engine: EscalationPort & DirectEscalation & PendingReader,
    private readonly options: RetryOptions,
  ) {
    this.delayMs = options.firstDelayMs ?? 1_000;
  }

  ensure(input: EnsureInput): Promise<void> {
    return this.call({ kind: 'ensure', input });
  }

  cancel(target: EscalationTarget, reason: string): Promise<void> {
    return this.call({ kind: 'cancel', target, reason });
  }

  escalateNow(target: EscalationTarget, by: string, reason: string): Promise<PendingItem | undefined> {
    return this.engine.escalateNow(target, by, reason);
  }

  acknowledge(target: EscalationTarget, by: string): Promise<PendingItem | undefined> {
    return this.engine.acknowledge(target, by);
  }

  listPending(installationId?: number): Promise<PendingItem[]> {
    return this.engine.listPending(installationId);
  }

  /** Only for display on the check: while Redis is away the check shows no level rather than failing. */
  async pendingFor(targets: readonly EscalationTarget[]): Promise<PendingItem[]> {
    try {
      return await this.engine.pendingFor(targets);
    } catch (error) {
      this.options.log.warn(`escalation: state not shown on the check (${(error as Error).message})`);
      return [];
    }
  }

  escalateTo(item: EnsureInput, level: number, by: string, reason: string): Promise<PendingItem | undefined> {
    return this.engine.escalateTo(item, level, by, reason);
  }

  /** Stops retrying (shutdown); what is still queued is logged, as it will not be sent. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued.size > 0) this.options.log.error(`escalation: ${this.queued.size} scheduling call(s) not sent at shutdown: ${[...this.queued.values()].map(describe).join(', ')}`);
  }

  private async call(call: Call): Promise<void> {
    const key = itemKey(targetOf(call));
    // An older call of the same item still waits: this one replaces it and goes out in order with the rest.
    if (this.queued.has(key)) {
      this.queued.set(key, call);
      return;
    }
    try {
      await this.send(call);
    } catch (error) {
      this.enqueue(key, call, error);
    }
  }

  private send(call: Call): Promise<void> {
    return call.kind === 'ensure' ? this.engine.ensure(call.input) : this.engine.cancel(call.target, call.reason);
  }

  private enqueue(key: string, call: Call, error: unknown): void {
    if (this.queued.size >= (this.options.capacity ?? 10_000)) {
      this.options.log.error(`escalation: retry queue full (${this.queued.size} items); ${describe(call)} is not retried (${(error as Error).message})`);
      return;
    }
    if (this.queued.size === 0) this.options.log.warn(`escalation: ${describe(call)} failed (${(error as Error).message}); retrying with backoff`);
    this.queued.set(key, call);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
    this.timer.unref(); // never keeps a stopping process alive; stop() reports what is left
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    for (const [key, call] of this.queued) {
      try {
        await this.send(call);
      } catch {
        this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 30_000);
        this.schedule();
        return;
      }
      // A newer call that replaced this one while it was being sent stays queued.
      if (this.queued.get(key) === call) this.queued.delete(key);
    }
    this.delayMs = this.options.firstDelayMs ?? 1_000;
    this.options.log.warn('escalation: every queued scheduling call was sent');
    // Calls queued during the flush after their item was passed.
    if (this.queued.size > 0) this.schedule();
  }
}

const targetOf = (call: Call): EscalationTarget => (call.kind === 'ensure' ? call.input : call.target);
const describe = (call: Call) => {
  const t = targetOf(call);
  return `${call.kind} ${t.owner}/${t.repo}#${t.number} ${t.item}`;
};
