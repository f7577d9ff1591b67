import { describe, expect, it } from '@jest/globals';
import { runReport } from '../../src/cli/report.js';
import { computeSuccessMetrics } from '../../src/audit/success-metrics.js';
import { MemoryAuditSink, type AuditReader } from '../../src/audit/types.js';
import { fixtureAuditLog, NOW, D, H } from './audit-log.js';

async function run(argv: string[], audit?: AuditReader) {
  const sink = new MemoryAuditSink();
  for (const e of fixtureAuditLog()) await sink.record(e);
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
  const code = await runReport(argv, io, audit ?? sink, () => NOW);
  return { code, stdout, stderr };
}

describe('hitl report', () => {
  it('prints the success metrics as a Markdown table to post, by default over 30 days', async () => {
    const { code, stdout, stderr } = await run(['--weeks', '2']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      [
        '## HITL success metrics, last 30d',
        '',
        '2025-03-01 00:00 UTC to 2025-03-31 00:00 UTC',
        '',
        '| Metric | Value | Target | Status |',
        '| --- | --- | --- | --- |',
        '| Checkpoint compliance | 71.4% (5 of 7 merged PRs had hitl green at merge) | > 95% | ❌ missed |',
        '| Approval time, standard (peer review) | p90 48h (p50 5h · 4 approved items (pending not counted)) | p90 < 24h | ❌ missed |',
        '| Approval time, expert | p90 20h (p50 3h · 4 approved items (pending not counted)) | p90 < 48h | ✅ met |',
        '| Escalation resolution, level 3 | p90 5h (p50 1.5h · 3 resolved escalations) | p90 < 2h | ❌ missed |',
        '| Escalation resolution, level 4 | p90 3h (p50 3h · 1 resolved escalation) | p90 < 4h | ✅ met |',
        '| Emergency bypass usage | 7.7% (1 of 13 decisions were emergency bypasses) | < 5% | ❌ missed |',
        '',
        '### Median approval time per week',
        '',
        '| Week from | Standard | Expert |',
        '| --- | --- | --- |',
        '| 2025-03-17 | 2h | 20h |',
        '| 2025-03-24 | 30h | 3h |',
        '',
      ].join('\n'),
    );
  });

  it('prints the same figures as JSON with --format json and honours --since=', async () => {
    const { code, stdout } = await run(['--since=7d', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const expected = computeSuccessMetrics(fixtureAuditLog(), { since: NOW - 7 * D, now: NOW, weeks: 8 });
    expect(report).toMatchObject(JSON.parse(JSON.stringify(expected)));
    // In the last 7 days: expert api#8 ×2 and web#9 (1h, 3h, 10h → p90 rank 3 = 10h); standard only web#3,
    // auto-approved at now−6d−18h after 30h → missed.
    expect(report.approvalTime.expert).toMatchObject({ status: 'met', samples: 3, p90Ms: 10 * H });
    expect(report.approvalTime.standard).toMatchObject({ status: 'missed', samples: 1, p90Ms: 30 * H });
    expect(report.since).toBe(NOW - 7 * D);
  });

  it('refuses bad arguments with exit code 2 and says why', async () => {
    expect(await run(['--format', 'html'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--format: "html" is not md or json') });
    expect(await run(['--since', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringContaining('"yesterday" is not a duration') });
    expect(await run(['--since', '400d'])).toMatchObject({ code: 2, stderr: expect.stringContaining('"400d" is not a window between 1s and 366d') });
    expect(await run(['--weeks'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--weeks needs a value') });
    expect(await run(['--verbose'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown argument "--verbose"') });
  });

  it('prints its usage with --help', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: hitl report') });
  });

  it('exits 1 with the reason when the audit log cannot be read', async () => {
    const down: AuditReader = { query: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) };
    expect(await run([], down)).toEqual({ code: 1, stdout: '', stderr: 'hitl report: could not read the audit log: connect ECONNREFUSED 127.0.0.1:6379\n' });
  });
});
