/** `deployments.freeze` in .hitl.yml: validated like a maintenance window, and read by the deployment gate. */
import { describe, expect, it } from '@jest/globals';
import { formatIssue, loadConfig } from '../../src/config/load.js';
import { decideDeployment, deploymentPolicy } from '../../src/policy/deployment.js';

const load = (text: string) => loadConfig({ repository: text });

describe('deployments.freeze', () => {
  it('reports a bad freeze with its line and column, like a maintenance window', () => {
    const result = load(['deployments:', '  freeze:', '    - name: year-end', '      cron: "0 0 99 * *"', '      duration: 2d', '    - name: launch', '      start: 2026-12-01T00:00:00Z'].join('\n'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => formatIssue(e))).toEqual([
      expect.stringMatching(/^\.hitl\.yml:4:\d+: error: deployments\.freeze\.0\.cron: bad cron "0 0 99 \* \*"/),
      expect.stringMatching(/^\.hitl\.yml:6:\d+: error: deployments\.freeze\.1: a fixed deployment freeze needs both start and end$/),
    ]);
  });

  it('refuses an unknown key in a freeze (a freeze approves nothing)', () => {
    const result = load(['deployments:', '  freeze:', '    - { name: x, start: 2026-12-01T00:00:00Z, end: 2026-12-02T00:00:00Z, auto_approve: [peer_review] }'].join('\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssue(result.errors[0]!)).toMatch(/^\.hitl\.yml:3:\d+: error: deployments\.freeze\.0: .*auto_approve/);
  });

  it('resolves both schedule forms, and the gate rejects a production deploy while one is open', () => {
    const result = load([
      'deployments:',
      '  freeze:',
      '    - { name: year-end, start: 2026-12-20T00:00:00Z, end: 2027-01-04T00:00:00Z }',
      '    - { name: fridays, cron: "0 15 * * 5", duration: 9h, timezone: Europe/Berlin }',
    ].join('\n'));
    if (!result.ok) throw new Error(result.errors.map((e) => formatIssue(e)).join('\n'));
    expect(result.config.deployments.freeze).toEqual([
      { name: 'year-end', schedule: { kind: 'fixed', startMs: Date.parse('2026-12-20T00:00:00Z'), endMs: Date.parse('2027-01-04T00:00:00Z') } },
      { name: 'fridays', schedule: { kind: 'cron', cron: '0 15 * * 5', durationMs: 9 * 3_600_000, timezone: 'Europe/Berlin' } },
    ]);
    const policy = deploymentPolicy(result.config, result.config.deployments.freeze);
    const passed = [{ number: 2, state: 'passed' as const, bypassed: false }];
    expect(decideDeployment({ environment: 'production', sha: 'abc1234', prs: passed }, policy, Date.parse('2026-12-24T10:00:00Z'))).toEqual({
      state: 'rejected',
      comment: 'HITL: deployments are frozen by "year-end" until 2027-01-04T00:00:00.000Z; deploy again after it closes.',
    });
    // Friday 2026-11-27 16:00 Berlin is inside the weekly freeze; the Thursday before is not.
    expect(decideDeployment({ environment: 'production', sha: 'abc1234', prs: passed }, policy, Date.parse('2026-11-27T15:00:00Z')).state).toBe('rejected');
    expect(decideDeployment({ environment: 'production', sha: 'abc1234', prs: passed }, policy, Date.parse('2026-11-26T15:00:00Z')).state).toBe('approved');
  });
});
