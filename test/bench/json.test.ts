/**
 * `npm run bench -- --quick --json FILE`: the file holds every printed row and, under `figures`,
 * the numbers CI and notes read. No timing is asserted, only that each figure is a number.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchReport, runBench, writeBenchJson } from '../../src/bench/run.js';

const FIGURES = ['classify_p50_ms_3000x500', 'resolve_config_ms_500_rules', 'timer_bytes_per_item', 'timers_pending_measured', 'timer_lateness_p99_ms', 'events_per_s', 'policy_diff_requests_20_open'];

describe('the bench’s machine-readable figures', () => {
  it('writes { figures, rows } with every figure a number, from a --quick run of every section', async () => {
    const rows = await runBench({ quick: true });
    const file = join(mkdtempSync(join(tmpdir(), 'hitl-bench-')), 'bench.json');
    writeBenchJson(file, rows);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { figures: Record<string, unknown>; rows: unknown[] };

    expect(written.rows).toEqual(JSON.parse(JSON.stringify(rows)));
    for (const key of FIGURES) expect([key, typeof written.figures[key], Number.isFinite(written.figures[key])]).toEqual([key, 'number', true]);
    expect(written.figures.timers_pending_measured).toBe(10_000);
  }, 900_000); // the whole quick bench: minutes on a loaded 2-core machine

  it('refuses a figure that is not a number or that two rows claim', () => {
    const row = { area: 'a', metric: 'm', unit: 'ms', how: 'h' };
    expect(benchReport([{ ...row, value: 1, figure: 'x' }, { ...row, value: 2 }])).toEqual({ figures: { x: 1 }, rows: [{ ...row, value: 1, figure: 'x' }, { ...row, value: 2 }] });
    expect(() => benchReport([{ ...row, value: '1 / 2', figure: 'x' }])).toThrow('bench figure x is not a number: 1 / 2');
    expect(() => benchReport([{ ...row, value: 1, figure: 'x' }, { ...row, value: 2, figure: 'x' }])).toThrow('bench figure x is reported twice');
  });
});
