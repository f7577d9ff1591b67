/**
 * Redis is a speed-up and a coordinator for the gate, never a precondition: when a Redis call
 * fails (a fail-fast client answers at once while Redis is away), the caller goes on with its
 * fallback. Each use is logged once when it starts failing and once when Redis answers again,
 * not on every event of an outage.
 */
export type Warn = (message: string) => void;

export class RedisFallback {
  private readonly failing = new Set<string>();

  constructor(private readonly warn: Warn = () => undefined) {}

  /** `op`'s answer, or `fallback` when Redis failed; `instead` says in the log what happens then. */
  async run<T>(use: string, op: () => Promise<T>, fallback: T, instead: string): Promise<T> {
    try {
      const value = await op();
      if (this.failing.delete(use)) this.warn(`Redis answers again: ${use} is back to normal`);
      return value;
    } catch (error) {
      this.fail(use, error, instead);
      return fallback;
    }
  }

  /** Records a failure of `use` that the caller handles itself. */
  fail(use: string, error: unknown, instead: string): void {
    if (this.failing.has(use)) return;
    this.failing.add(use);
    this.warn(`Redis unavailable for ${use} (${(error as Error).message ?? String(error)}): ${instead}`);
  }

  /** Records that `use` succeeded (after a failure handled by the caller). */
  recovered(use: string): void {
    if (this.failing.delete(use)) this.warn(`Redis answers again: ${use} is back to normal`);
  }
}
