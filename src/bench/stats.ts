/** Timing helpers shared by bench sections: run a function repeatedly and summarise. */
import { sampleHeap } from './memory.js';

export interface Timing {
  runs: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Runs `fn` after `warmup` calls until `budgetMs` has passed (at least minRuns, at most maxRuns times). */
export function time(fn: () => unknown, { budgetMs = 1_000, minRuns = 20, maxRuns = 5_000, warmup = 5 } = {}): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < minRuns || (samples.length < maxRuns && performance.now() - started < budgetMs)) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
    if (samples.length % 64 === 0) sampleHeap();
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { runs: samples.length, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: samples.reduce((s, x) => s + x, 0) / samples.length };
}

export const round = (value: number, digits = 3) => Number(value.toPrecision(digits));
