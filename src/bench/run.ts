/**
 * The bench's sections and what it reports: one table of figures from every section, then the
 * peak memory; `--json` adds the rows that carry a `figure` key as `figures`. A section is an
 * async function returning BenchRows; adding one is one line in SECTIONS, adding a
 * machine-readable figure is one `figure:` on its row.
 */
import { writeFileSync } from 'node:fs';
import { backtestBench } from './backtest.js';
import { classifyBench } from './classify.js';
import { escalationBench } from './escalation.js';
import { gateBench } from './gate.js';
import { markdownBench } from './markdown.js';
import { peakMemory, sampleHeap } from './memory.js';
import { policyDiffBench } from './policy-diff.js';
import type { BenchOptions, BenchRow, BenchSection } from './types.js';

export const SECTIONS: BenchSection[] = [
  gateBench,
  classifyBench,
  backtestBench,
  escalationBench,
  markdownBench,
  policyDiffBench,
];

const COLUMNS = ['area', 'metric', 'value', 'unit', 'how'] as const;

export function renderTable(rows: readonly BenchRow[]): string {
  const cells = [[...COLUMNS], ...rows.map((row) => COLUMNS.map((c) => String(row[c])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export interface BenchReport {
  figures: Record<string, number>;
  rows: BenchRow[];
}

/** The `--json` document: every row as printed, and the numeric value of each row that names a figure. */
export function benchReport(rows: readonly BenchRow[]): BenchReport {
  const figures: Record<string, number> = {};
  for (const row of rows) {
    if (row.figure === undefined) continue;
    if (typeof row.value !== 'number') throw new Error(`bench figure ${row.figure} is not a number: ${row.value}`);
    if (Object.hasOwn(figures, row.figure)) throw new Error(`bench figure ${row.figure} is reported twice`);
    figures[row.figure] = row.value;
  }
  return { figures, rows: [...rows] };
}

export function writeBenchJson(file: string, rows: readonly BenchRow[]): void {
  writeFileSync(file, `${JSON.stringify(benchReport(rows), null, 2)}\n`);
}

export async function runBench(options: BenchOptions, sections: readonly BenchSection[] = SECTIONS): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const section of sections) {
    rows.push(...(await section(options)));
    sampleHeap();
  }
  const memory = peakMemory();
  const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
  rows.push({ area: 'process', metric: 'peak RSS', value: mib(memory.rssBytes), unit: 'MiB', how: 'getrusage maxRSS over the whole run' });
  rows.push({ area: 'process', metric: 'peak heap used', value: mib(memory.heapBytes), unit: 'MiB', how: 'sampled during and after each section' });
  return rows;
}
