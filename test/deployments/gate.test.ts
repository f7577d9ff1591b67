import { describe, expect, it } from '@jest/globals';
import type { FreezeWindow } from '../../src/policy/freeze.js';
import { configOf } from '../helpers/facts.js';
import { decideDeployment, deploymentPolicy, prGateOf } from '../../src/policy/deployment.js';

const NOW = Date.parse('2026-11-27T10:00:00Z'); // a Friday, 11:00 in Berlin
const SHA = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
const passed = prGateOf(2, { status: 'completed', conclusion: 'success', title: 'All checkpoints approved' });


describe('decideDeployment', () => {
  const fridayFreeze: FreezeWindow = { name: 'friday-afternoon', schedule: { kind: 'cron', cron: '0 10 * * 5', durationMs: 8 * 3_600_000, timezone: 'Europe/Berlin' } };

  it('rejects while a cron freeze is open and approves once it has closed', () => {
    const policy = deploymentPolicy(configOf(), [fridayFreeze]);
    expect(decideDeployment({ environment: 'production', sha: SHA, prs: [passed] }, policy, NOW)).toEqual({
      state: 'rejected',
      comment: 'HITL: deployments are frozen by "friday-afternoon" until 2026-11-27T17:00:00.000Z; deploy again after it closes.',
    });
    expect(decideDeployment({ environment: 'production', sha: SHA, prs: [passed] }, policy, NOW + 8 * 3_600_000)).toMatchObject({ state: 'approved' });
  });

  it('gates an environment that is neither protected nor a test environment (fail closed)', () => {
    const policy = deploymentPolicy(configOf(), []);
    const failed = prGateOf(2, { status: 'completed', conclusion: 'neutral', title: null });
    expect(decideDeployment({ environment: 'qa-eu', sha: SHA, prs: [failed] }, policy, NOW)).toEqual({
      state: 'rejected',
      comment: 'HITL: not approved for qa-eu: PR #2: hitl is neutral.',
    });
  });

  it('passes a test environment without evidence and gates a protected one', () => {
    const policy = deploymentPolicy(configOf('bypass:\n  test_environments: { environments: ["prod*"] }\n  protected_environments: [release]\n'), []);
    expect(decideDeployment({ environment: 'release', sha: SHA, prs: [] }, policy, NOW)).toMatchObject({ state: 'rejected' });
    expect(decideDeployment({ environment: 'prod-preview', sha: SHA, prs: [] }, policy, NOW)).toMatchObject({ state: 'approved' });
  });

  it('asks for a human only on protected environments, and lists every failing pull request', () => {
    const policy = deploymentPolicy(configOf('deployments:\n  require_approval: [technical_lead]\n'), []);
    expect(decideDeployment({ environment: 'production', sha: SHA, prs: [passed] }, policy, NOW)).toMatchObject({ state: 'awaiting_approval', roles: ['technical_lead'] });
    expect(decideDeployment({ environment: 'qa-eu', sha: SHA, prs: [passed] }, policy, NOW)).toMatchObject({ state: 'approved' });
    expect(decideDeployment({ environment: 'production', sha: SHA, prs: [prGateOf(3, undefined), prGateOf(4, { status: 'queued', conclusion: null })] }, policy, NOW)).toEqual({
      state: 'rejected',
      comment: 'HITL: not approved for production: PR #3 has no hitl check; PR #4 was merged while its hitl check was still queued.',
    });
  });
});
