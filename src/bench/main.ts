/**
 * `npm run bench`: one table of figures from every section, then the peak memory. A section is
 * an async function returning BenchRows; adding one is one line in SECTIONS.
 */
import { backtestBench } from './backtest.js';
import { classifyBench } from './classify.js';
import { escalationBench } from './escalation.js';
import { gateBench } from './gate.js';
import { markdownBench } from './markdown.js';
import { peakMemory, sampleHeap } from './memory.js';
import type { BenchRow, BenchSection } from './types.js';

const SECTIONS: BenchSection[] = [
  gateBench,
  classifyBench,
  backtestBench,
  escalationBench,
  markdownBench,
];

const COLUMNS: Array<keyof BenchRow> = ['area', 'metric', 'value', 'unit', 'how'];

export function renderTable(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map(String), ...rows.map((row) => COLUMNS.map((c) => String(row[c])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

const rows: BenchRow[] = [];
for (const section of SECTIONS) {
  rows.push(...(await section()));
  sampleHeap();
}
const memory = peakMemory();
const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
rows.push({ area: 'process', metric: 'peak RSS', value: mib(memory.rssBytes), unit: 'MiB', how: 'getrusage maxRSS over the whole run' });
rows.push({ area: 'process', metric: 'peak heap used', value: mib(memory.heapBytes), unit: 'MiB', how: 'sampled during and after each section' });
process.stdout.write(`${renderTable(rows)}\n`);
