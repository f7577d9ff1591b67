import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { Octokit } from '@octokit/rest';
import { createMetrics, type HitlMetrics } from '../../src/metrics/metrics.js';
import { githubMetricsPlugin } from '../../src/metrics/octokit.js';
import { metricsHandler } from '../../src/web/metrics-route.js';
import { serve } from '../web/serve.js';
import { fixtureAuditLog, H } from './audit-log.js';

type Labels = Record<string, string>;

/** Parses the text exposition format into samples: one per series line. */
function parse(text: string): Array<{ name: string; labels: Labels; value: number }> {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function value(text: string, name: string, labels: Labels = {}): number {
  const same = (a: Labels) => Object.keys(a).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => a[k] === v);
  return parse(text).find((s) => s.name === name && same(s.labels))?.value ?? 0;
}

async function scrape(metrics: HitlMetrics): Promise<string> {
  const server = await serve(metricsHandler(metrics.registry));
  try {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return await res.text();
  } finally {
    await server.close();
  }
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('/metrics after a scripted run of facade calls', () => {
  it('moves each counter and histogram by exactly what was done', async () => {
    let seconds = 100;
    const metrics = createMetrics({ nowSeconds: () => seconds });
    const before = await scrape(metrics);

    metrics.checkpointResolved('security_review', 'approved');
    metrics.checkpointResolved('security_review', 'approved');
    metrics.checkpointResolved('peer_review', 'rejected');
    metrics.checkpointResolved('our_own_checkpoint', 'approved');
    metrics.approvalTime('peer', 2 * 3600);
    metrics.approvalTime('expert', 100_000);
    metrics.escalated(1);
    metrics.escalated(3);
    metrics.escalated(3);
    metrics.escalated(7);
    metrics.escalated(0);
    metrics.bypassed('emergency');
    metrics.bypassed('maintenance_window');
    metrics.complianceViolation();
    metrics.webhookHandled('pull_request', 0.2);
    await expect(
      metrics.timeWebhook('issue_comment', async () => {
        seconds += 0.5;
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    metrics.githubRequest('GET');
    metrics.githubRequest('post');
    metrics.githubRequest('PATCH');
    metrics.githubRateLimit('core', 4321);

    const after = await scrape(metrics);
    const delta = (name: string, labels: Labels = {}) => value(after, name, labels) - value(before, name, labels);
    expect(delta('hitl_checkpoints_total', { checkpoint: 'security_review', outcome: 'approved' })).toBe(2);
    expect(delta('hitl_checkpoints_total', { checkpoint: 'peer_review', outcome: 'rejected' })).toBe(1);
    // A name from a repository's config is not a label value of its own.
    expect(delta('hitl_checkpoints_total', { checkpoint: 'other', outcome: 'approved' })).toBe(1);
    expect(delta('hitl_approval_duration_seconds_count', { workflow: 'peer' })).toBe(1);
    expect(delta('hitl_approval_duration_seconds_sum', { workflow: 'peer' })).toBe(7200);
    expect(delta('hitl_approval_duration_seconds_bucket', { workflow: 'peer', le: '3600' })).toBe(0);
    expect(delta('hitl_approval_duration_seconds_bucket', { workflow: 'peer', le: '7200' })).toBe(1);
    expect(delta('hitl_approval_duration_seconds_bucket', { workflow: 'expert', le: '86400' })).toBe(0);
    expect(delta('hitl_approval_duration_seconds_bucket', { workflow: 'expert', le: '129600' })).toBe(1);
    expect(delta('hitl_escalations_total', { level: '1' })).toBe(1);
    expect(delta('hitl_escalations_total', { level: '3' })).toBe(2);
    expect(delta('hitl_escalations_total', { level: 'reminder' })).toBe(1);
    expect(parse(after).filter((s) => s.name === 'hitl_escalations_total').map((s) => s.labels.level).sort()).toEqual(['1', '3', 'reminder']);
    expect(delta('hitl_bypasses_total', { kind: 'emergency' })).toBe(1);
    expect(delta('hitl_bypasses_total', { kind: 'maintenance_window' })).toBe(1);
    expect(delta('hitl_compliance_violations_total')).toBe(1);
    expect(delta('hitl_webhook_duration_seconds_count', { event: 'pull_request' })).toBe(1);
    expect(delta('hitl_webhook_duration_seconds_count', { event: 'issue_comment' })).toBe(1);
    expect(delta('hitl_webhook_duration_seconds_sum', { event: 'issue_comment' })).toBeCloseTo(0.5, 9);
    expect(delta('hitl_github_requests_total', { method_class: 'read' })).toBe(1);
    expect(delta('hitl_github_requests_total', { method_class: 'write' })).toBe(2);
    expect(value(after, 'hitl_github_rate_limit_remaining', { resource: 'core' })).toBe(4321);
  });

  it('serves the default process metrics and only hitl_ names with bounded labels of its own', async () => {
    const text = await scrape(createMetrics());
    expect(text).toContain('process_cpu_user_seconds_total');
    const own = [...text.matchAll(/^# TYPE (hitl_\w+) (\w+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(own).toEqual([
      'hitl_checkpoints_total counter',
      'hitl_approval_duration_seconds histogram',
      'hitl_escalations_total counter',
      'hitl_bypasses_total counter',
      'hitl_compliance_violations_total counter',
      'hitl_webhook_duration_seconds histogram',
      'hitl_github_requests_total counter',
      'hitl_github_rate_limit_remaining gauge',
    ]);
  });

  it('keeps each app instance on its own registry', async () => {
    const one = createMetrics({ defaultMetrics: false });
    const two = createMetrics({ defaultMetrics: false });
    one.complianceViolation();
    expect(value(await scrape(one), 'hitl_compliance_violations_total')).toBe(1);
    expect(value(await scrape(two), 'hitl_compliance_violations_total')).toBe(0);
  });

  it('answers only GET and HEAD on /metrics and leaves other paths to the next handler', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const server = await serve(metricsHandler(metrics.registry));
    try {
      expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${server.url}/metricsx`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('observeAudit', () => {
  it('derives the decision metrics from the fixture audit stream', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    for (const entry of fixtureAuditLog().sort((a, b) => a.at - b.at)) metrics.observeAudit(entry);
    const text = await scrape(metrics);
    // approved with a checkpoint: peer_review api#1, api#2, web#4, api#6, api#7 = 5; expert_review api#8 ×2;
    // security_review api#1; breaking_change web#9. auto_approved peer_review web#3. rejected security_review web#15.
    expect(value(text, 'hitl_checkpoints_total', { checkpoint: 'peer_review', outcome: 'approved' })).toBe(5);
    expect(value(text, 'hitl_checkpoints_total', { checkpoint: 'expert_review', outcome: 'approved' })).toBe(2);
    expect(value(text, 'hitl_checkpoints_total', { checkpoint: 'security_review', outcome: 'approved' })).toBe(1);
    expect(value(text, 'hitl_checkpoints_total', { checkpoint: 'breaking_change', outcome: 'approved' })).toBe(1);
    expect(value(text, 'hitl_checkpoints_total', { checkpoint: 'peer_review', outcome: 'auto_approved' })).toBe(1);
    expect(value(text, 'hitl_checkpoints_total', { checkpoint: 'security_review', outcome: 'rejected' })).toBe(1);
    // Paired approvals, peer: api#7 24h, web#4 48h, api#1 2h, api#2 5h, web#3 30h → 5, 109h.
    // Expert: api#1 security 20h, api#8 1h + 3h, web#9 10h → 4, 34h. api#6 had no opening.
    expect(value(text, 'hitl_approval_duration_seconds_count', { workflow: 'peer' })).toBe(5);
    expect(value(text, 'hitl_approval_duration_seconds_sum', { workflow: 'peer' })).toBe((109 * H) / 1000);
    expect(value(text, 'hitl_approval_duration_seconds_count', { workflow: 'expert' })).toBe(4);
    expect(value(text, 'hitl_approval_duration_seconds_sum', { workflow: 'expert' })).toBe((34 * H) / 1000);
    // Escalated: api#5 levels 1, 2, 3; web#10 3, 4; web#11 3; api#12 3.
    expect(value(text, 'hitl_escalations_total', { level: '1' })).toBe(1);
    expect(value(text, 'hitl_escalations_total', { level: '2' })).toBe(1);
    expect(value(text, 'hitl_escalations_total', { level: '3' })).toBe(4);
    expect(value(text, 'hitl_escalations_total', { level: '4' })).toBe(1);
    expect(value(text, 'hitl_bypasses_total', { kind: 'emergency' })).toBe(1);
    expect(value(text, 'hitl_bypasses_total', { kind: 'maintenance_window' })).toBe(1);
    expect(value(text, 'hitl_compliance_violations_total')).toBe(3);
  });
});

describe('githubMetricsPlugin', () => {
  it('counts reads and writes, failed ones too, and keeps the rate-limit gauge from the answers', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const octokit = new (Octokit.plugin(githubMetricsPlugin(metrics)))({ auth: 'test-token', log: quiet });
    nock('https://api.github.com')
      .get('/repos/acme/web')
      .reply(200, { full_name: 'acme/web' }, { 'x-ratelimit-remaining': '4999', 'x-ratelimit-resource': 'core' })
      .post('/repos/acme/web/issues/1/comments', { body: 'hi' })
      .reply(201, { id: 1 }, { 'x-ratelimit-remaining': '4998', 'x-ratelimit-resource': 'core' })
      .get('/repos/acme/missing')
      .reply(404, { message: 'Not Found' }, { 'x-ratelimit-remaining': '4997', 'x-ratelimit-resource': 'core' });

    await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: 1, body: 'hi' });
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'missing' })).rejects.toMatchObject({ status: 404 });

    expect(nock.pendingMocks()).toEqual([]);
    const text = await scrape(metrics);
    expect(value(text, 'hitl_github_requests_total', { method_class: 'read' })).toBe(2);
    expect(value(text, 'hitl_github_requests_total', { method_class: 'write' })).toBe(1);
    expect(value(text, 'hitl_github_rate_limit_remaining', { resource: 'core' })).toBe(4997);
  });
});
