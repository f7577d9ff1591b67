import { describe, expect, it } from '@jest/globals';
import { computeSuccessMetrics, loadSuccessMetrics, metricRows, type SuccessMetrics } from '../../src/audit/success-metrics.js';
import { MemoryAuditSink, type AuditEntry } from '../../src/audit/types.js';
import { fixtureAuditLog, H, D, NOW, SINCE, entry } from '../metrics/audit-log.js';

async function fixtureMetrics(): Promise<SuccessMetrics> {
  const sink = new MemoryAuditSink();
  for (const e of fixtureAuditLog()) await sink.record(e);
  return loadSuccessMetrics(sink, { since: SINCE, now: NOW, weeks: 4 });
}

function decisions(count: number, extra: AuditEntry[] = []): AuditEntry[] {
  const approvals = Array.from({ length: count }, (_, i) => entry({ at: NOW - D, pr: 100 + i, action: 'approved', checkpoint: 'peer_review' }));
  return [...approvals, ...extra];
}

describe('checkpoint compliance', () => {
  it('counts the pull requests merged in the window, and the share merged with hitl green', async () => {
    // Merged in the window: api#1, api#8, web#3, web#4, web#9 (merged with hitl green), api#2 (a pass, then merged
    // around the gate), web#13 (violation only) = 7 PRs. api#5 is only pending, web#18 passed and was never merged,
    // web#14's violation is before the window. Violated: api#2, web#13 → 7 − 2 = 5; 5 / 7 = 0.714… ≤ 0.95 → missed.
    const { compliance } = await fixtureMetrics();
    expect(compliance).toEqual({ status: 'missed', value: 5 / 7, numerator: 5, denominator: 7, target: 0.95 });
  });

  it('needs strictly more than 95%: 19 of 20 misses, 20 of 20 meets', () => {
    const merges = (n: number) => Array.from({ length: n }, (_, i) => entry({ at: NOW - H, pr: i + 1, action: 'merged' }));
    const violation = entry({ at: NOW - H, pr: 20, action: 'compliance_violation' });
    expect(computeSuccessMetrics([...merges(19), violation], { since: SINCE, now: NOW }).compliance).toMatchObject({ status: 'missed', numerator: 19, denominator: 20 });
    expect(computeSuccessMetrics(merges(20), { since: SINCE, now: NOW }).compliance.status).toBe('met');
  });

  it('has no data when nothing was merged, however many gates passed (issue 15: "100% (1 of 1 merged PRs)")', () => {
    const pass = entry({ at: NOW - H, pr: 1, action: 'gate_evaluated', details: { verdict: 'pass' } });
    const metrics = computeSuccessMetrics([pass], { since: SINCE, now: NOW });
    expect(metrics.compliance.status).toBe('no_data');
    expect(metricRows(metrics)[0]).toMatchObject({ metric: 'Checkpoint compliance', value: 'no data', detail: 'no merged PRs in the window' });
  });
});

describe('approval time', () => {
  it('measures checkpoint_opened to the first approval per repo, PR and checkpoint, standard = peer review', async () => {
    // Standard, ending in the window: api#1 2h, api#2 5h, web#3 30h (auto-approved), web#4 48h (opened before
    // the window, approved inside it). api#5 never approved, api#6 approved without opening, api#7 ended
    // before the window. Sorted [2, 5, 30, 48] h: p50 = rank ceil(0.5·4) = 2 → 5h; p90 = rank ceil(3.6) = 4 → 48h.
    // 48h ≥ 24h → missed.
    const { approvalTime } = await fixtureMetrics();
    expect(approvalTime.standard).toEqual({ status: 'missed', p50Ms: 5 * H, p90Ms: 48 * H, samples: 4, targetMs: 24 * H });
  });

  it('counts every other checkpoint as expert, a reopened item twice and a repeated opening once', async () => {
    // Expert: api#1 security_review 20h, api#8 expert_review 1h then reopened 3h, web#9 breaking_change
    // opened twice, approved 10h after the first opening. Sorted [1, 3, 10, 20] h: p50 = rank 2 → 3h;
    // p90 = rank 4 → 20h < 48h → met.
    const { approvalTime } = await fixtureMetrics();
    expect(approvalTime.expert).toEqual({ status: 'met', p50Ms: 3 * H, p90Ms: 20 * H, samples: 4, targetMs: 48 * H });
  });

  it('gives a weekly median per kind over 7-day buckets ending now', async () => {
    // Buckets of 4 weeks: [now−28d, now−21d), [now−21d, now−14d), [now−14d, now−7d), [now−7d, now].
    // Bucket 3: standard api#1 (ends now−10d+2h) 2h, api#2 (now−9d+5h) 5h → median rank 1 → 2h;
    //           expert api#1 security (now−10d+20h) 20h → 20h.
    // Bucket 4: standard web#3 (now−8d+30h = now−6d−18h) 30h; expert api#8 1h, 3h, web#9 10h → rank 2 → 3h.
    // web#4 ends at now−29d, before the chart.
    const { weekly } = await fixtureMetrics();
    expect(weekly).toEqual([
      { weekStart: NOW - 28 * D, standardMedianMs: null, expertMedianMs: null },
      { weekStart: NOW - 21 * D, standardMedianMs: null, expertMedianMs: null },
      { weekStart: NOW - 14 * D, standardMedianMs: 2 * H, expertMedianMs: 20 * H },
      { weekStart: NOW - 7 * D, standardMedianMs: 30 * H, expertMedianMs: 3 * H },
    ]);
  });
});

describe('escalation resolution time', () => {
  it('measures from reaching level 3 or 4 to escalation_resolved, unresolved ones left out', async () => {
    // Level 3: api#5 reached it at now−6d+1h, resolved now−6d+2h30m → 1.5h; web#10 reached it at now−4d,
    // resolved now−4d+5h → 5h (it climbed on to level 4); web#11 0.5h; api#12 unresolved.
    // Sorted [0.5, 1.5, 5] h: p50 = rank ceil(1.5) = 2 → 1.5h; p90 = rank ceil(2.7) = 3 → 5h ≥ 2h → missed.
    // Level 4: web#10 reached it at now−4d+2h, resolved now−4d+5h → 3h = p50 = p90 < 4h → met.
    const { escalationResolution } = await fixtureMetrics();
    expect(escalationResolution.level3).toEqual({ status: 'missed', p50Ms: 1.5 * H, p90Ms: 5 * H, samples: 3, targetMs: 2 * H });
    expect(escalationResolution.level4).toEqual({ status: 'met', p50Ms: 3 * H, p90Ms: 3 * H, samples: 1, targetMs: 4 * H });
  });
});

describe('bypass usage', () => {
  it('divides emergency bypasses by all decisions in the window', async () => {
    // Decisions in the window: approved 8 (api#1 ×2, api#2, web#4, api#6, api#8 ×2, web#9), auto_approved 1
    // (web#3), rejected 1, bypassed 2 (emergency, maintenance window), deployment_approved 1 = 13.
    // The hold and the escalations are not decisions; api#7's approval is before the window.
    // Emergency: 1 → 1 / 13 = 0.0769… ≥ 0.05 → missed.
    const { bypassUsage } = await fixtureMetrics();
    expect(bypassUsage).toEqual({ status: 'missed', value: 1 / 13, numerator: 1, denominator: 13, target: 0.05 });
  });

  it('needs strictly less than 5% and counts a bypass of unknown kind as an emergency', () => {
    const emergency = entry({ at: NOW - D, pr: 1, action: 'bypassed' });
    // 1 of 20 decisions = 5% → missed; 1 of 21 = 4.76% → met.
    expect(computeSuccessMetrics(decisions(19, [emergency]), { since: SINCE, now: NOW }).bypassUsage.status).toBe('missed');
    expect(computeSuccessMetrics(decisions(20, [emergency]), { since: SINCE, now: NOW }).bypassUsage).toMatchObject({ status: 'met', numerator: 1, denominator: 21 });
  });
});

describe('an empty window', () => {
  it('says no data rather than met', () => {
    const metrics = computeSuccessMetrics([], { since: SINCE, now: NOW, weeks: 2 });
    expect(metricRows(metrics).map((r) => r.status)).toEqual(['no_data', 'no_data', 'no_data', 'no_data', 'no_data', 'no_data']);
    expect(metrics.weekly).toHaveLength(2);
  });
});

describe('metric rows', () => {
  it('words each metric with its value, target and status', async () => {
    expect(metricRows(await fixtureMetrics())).toEqual([
      { metric: 'Checkpoint compliance', value: '71.4%', detail: '5 of 7 merged PRs had hitl green at merge', target: '> 95%', status: 'missed' },
      { metric: 'Approval time, standard (peer review)', value: 'p90 48h', detail: 'p50 5h · 4 approved items (pending not counted)', target: 'p90 < 24h', status: 'missed' },
      { metric: 'Approval time, expert', value: 'p90 20h', detail: 'p50 3h · 4 approved items (pending not counted)', target: 'p90 < 48h', status: 'met' },
      { metric: 'Escalation resolution, level 3', value: 'p90 5h', detail: 'p50 1.5h · 3 resolved escalations', target: 'p90 < 2h', status: 'missed' },
      { metric: 'Escalation resolution, level 4', value: 'p90 3h', detail: 'p50 3h · 1 resolved escalation', target: 'p90 < 4h', status: 'met' },
      { metric: 'Emergency bypass usage', value: '7.7%', detail: '1 of 13 decisions were emergency bypasses', target: '< 5%', status: 'missed' },
    ]);
  });
});
