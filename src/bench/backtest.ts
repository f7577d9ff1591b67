/**
 * `hitl backtest` on a synthetic history of 1,000 merged pull requests (src/bench/history.ts):
 * the whole command in process (git log, parsing, classifying under two policies, the report),
 * as a user runs it with --against.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/commands.js';
import { generateHistory } from './history.js';
import { round } from './stats.js';
import type { BenchRow } from './types.js';

const CHANGES = 1_000;
const DAY = 86_400_000;
const RUNS = 3;

export async function backtestBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hitl-bench-backtest-'));
  try {
    const now = Date.now();
    generateHistory(dir, { changes: CHANGES, startMs: now - 80 * DAY, spacingMs: (75 * DAY) / CHANGES });
    writeFileSync(join(dir, 'draft.yml'), 'triggers:\n  performance_critical: { paths: ["src/mod1*/**"] }\n');
    const samples: number[] = [];
    let changes = 0;
    for (let run = 0; run < RUNS; run++) {
      const out: string[] = [];
      const started = performance.now();
      const code = await runCli(['backtest', '--since', '90d', '--against', 'draft.yml', '--json'], { out: (t) => out.push(t), err: () => undefined, cwd: dir, now: () => now });
      samples.push(performance.now() - started);
      if (code !== 0) throw new Error(`hitl backtest exited ${code}`);
      changes = (JSON.parse(out.join('\n')) as { changes: number }).changes;
    }
    samples.sort((a, b) => a - b);
    return [
      { area: 'backtest', metric: `${changes} merged changes, --against a second policy`, value: round(samples[Math.floor(RUNS / 2)]! / 1000), unit: 's median', how: `${RUNS} runs of the whole command on a generated history (half merge commits, half squashes, a few files each); one git log` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
