/**
 * `npx hitl report [--since 30d] [--weeks 8] [--format md|json]`: the seed's success metrics from
 * the audit log, as a Markdown table a team can post each week, or as JSON for a pipeline.
 * The same figures as the dashboard (both come from loadSuccessMetrics and metricRows).
 */
import { formatHours, formatUtc, loadSuccessMetrics, metricRows, parseWindowLength, type MetricStatus, type SuccessMetrics } from '../audit/success-metrics.js';
import type { AuditReader } from '../audit/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { helpOf } from './usage.js';

export interface ReportIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

const USAGE = `${helpOf('report')}\n`;

interface ReportArgs {
  since: string;
  weeks: number;
  format: 'md' | 'json';
}

type ArgsResult = { ok: true; args: ReportArgs } | { ok: false; error: string } | { ok: 'help' };

function parseArgs(argv: readonly string[]): ArgsResult {
  const args: ReportArgs = { since: '30d', weeks: 8, format: 'md' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { ok: 'help' };
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag !== '--since' && flag !== '--weeks' && flag !== '--format') return { ok: false, error: `unknown argument "${arg}"` };
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, error: `${flag} needs a value` };
    if (flag === '--since') args.since = value;
    if (flag === '--weeks') {
      const weeks = Number(value);
      if (!Number.isInteger(weeks) || weeks < 2 || weeks > 26) return { ok: false, error: `--weeks: "${value}" is not a whole number from 2 to 26` };
      args.weeks = weeks;
    }
    if (flag === '--format') {
      if (value !== 'md' && value !== 'json') return { ok: false, error: `--format: "${value}" is not md or json` };
      args.format = value;
    }
  }
  return { ok: true, args };
}

const STATUS_MD: Record<MetricStatus, string> = { met: '✅ met', missed: '❌ missed', no_data: '— no data' };

function markdown(m: SuccessMetrics, since: string): string {
  const rows = metricRows(m).map((r) => `| ${r.metric} | ${r.value} (${r.detail}) | ${r.target} | ${STATUS_MD[r.status]} |`);
  const weeks = m.weekly.map((w) => `| ${formatUtc(w.weekStart).slice(0, 10)} | ${w.standardMedianMs === null ? '–' : formatHours(w.standardMedianMs)} | ${w.expertMedianMs === null ? '–' : formatHours(w.expertMedianMs)} |`);
  return [
    `## HITL success metrics, last ${since}`,
    '',
    `${formatUtc(m.since)} to ${formatUtc(m.until)}`,
    '',
    '| Metric | Value | Target | Status |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '### Median approval time per week',
    '',
    '| Week from | Standard | Expert |',
    '| --- | --- | --- |',
    ...weeks,
    '',
  ].join('\n');
}

export async function runReport(argv: string[], io: ReportIo, audit: AuditReader, clock: Clock = systemClock): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.ok === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (!parsed.ok) {
    io.stderr.write(`hitl report: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const { since, weeks, format } = parsed.args;
  const length = parseWindowLength(since);
  if (!length.ok) {
    io.stderr.write(`hitl report: --since: ${length.error}\n`);
    return 2;
  }
  const now = clock();
  let metrics: SuccessMetrics;
  try {
    metrics = await loadSuccessMetrics(audit, { since: now - length.ms, now, weeks });
  } catch (error) {
    io.stderr.write(`hitl report: could not read the audit log: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.stdout.write(format === 'json' ? `${JSON.stringify({ ...metrics, rows: metricRows(metrics) }, null, 2)}\n` : markdown(metrics, since));
  return 0;
}
