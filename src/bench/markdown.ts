/**
 * Comment and description parsing on hostile input: GitHub's largest comment (65,536 characters)
 * in the shapes that are costly for a markdown parser (deep nesting, unmatched openers), each with
 * a command line in the middle so the inline parse runs, against a comment of ordinary prose.
 * Every run parses a body not seen before (parseCommands remembers recent ones).
 */
import { MAX_COMMENT_CHARS, parseCommands } from '../commands/parse.js';
import { tickedCriteria } from '../policy/criteria.js';
import { round, time } from './stats.js';
import type { BenchRow } from './types.js';

const SHAPES: Record<string, string> = {
  'nested quotes': '>',
  'nested quotes and backticks': '> `',
  'unmatched backticks': '`a',
  'unmatched brackets': '[',
  'emphasis runs': '*a',
  'image openers': '![',
  'lines of one paragraph': 'a\n',
  'unclosed HTML comments': 'a <!--\n',
  'ticked task items': '- [x] a\n',
};

function fill(unit: string): string {
  const body = unit.repeat(Math.ceil(MAX_COMMENT_CHARS / unit.length));
  const middle = Math.floor(MAX_COMMENT_CHARS / 2);
  return `${body.slice(0, middle)}\n/approve\n${body.slice(middle)}`.slice(0, MAX_COMMENT_CHARS);
}

let runs = 0;
/** The same shape with a new ending: a body the parser has not seen. */
const fresh = (body: string) => `${body.slice(0, -8)}${String(++runs).padStart(8, '0')}`;

export async function markdownBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const prose = fill('Looks good to me, one nit in the retry loop. ');
  const ordinary = time(() => parseCommands(fresh(prose)), { budgetMs: 300, minRuns: 10 });
  rows.push({ area: 'markdown', metric: 'commands of a 64 KiB prose comment', value: round(ordinary.p50Ms), unit: 'ms p50', how: `${ordinary.runs} runs` });
  const again = time(() => parseCommands(prose), { budgetMs: 300, minRuns: 10 });
  rows.push({ area: 'markdown', metric: 'the same 64 KiB comment again', value: round(again.p50Ms), unit: 'ms p50', how: `${again.runs} runs; remembered` });
  let worst = { shape: '', p50Ms: 0, p99Ms: 0 };
  for (const [shape, unit] of Object.entries(SHAPES)) {
    const body = fill(unit);
    const timing = time(() => {
      const text = fresh(body);
      parseCommands(text);
      tickedCriteria(text);
    }, { budgetMs: 300, minRuns: 5 });
    if (timing.p50Ms > worst.p50Ms) worst = { shape, p50Ms: timing.p50Ms, p99Ms: timing.p99Ms };
  }
  const how = `commands and ticked criteria of 65,536 characters; worst of ${Object.keys(SHAPES).length} shapes: ${worst.shape}`;
  rows.push({ area: 'markdown', metric: 'hostile 64 KiB comment, worst shape: p50', value: round(worst.p50Ms), unit: 'ms', how });
  rows.push({ area: 'markdown', metric: 'hostile 64 KiB comment, worst shape: p99', value: round(worst.p99Ms), unit: 'ms', how });
  return rows;
}
