/**
 * What a `hitl` subcommand may touch: its output streams, its working directory and a clock.
 * Tests pass their own; main.ts passes the process's.
 */
import type { Clock } from '../util/clock.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  now: Clock;
  /** Replaces a transient status line (a progress bar) on stderr; "" clears it. Only on a terminal. */
  status?: (line: string) => void;
}

/** Exit codes CI can act on. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type Subcommand = (argv: string[], io: CliIo) => Promise<number>;
