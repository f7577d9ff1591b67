import { afterAll, describe, expect, it } from '@jest/globals';
import { auditBypasses, bypassEntries, type GateRef } from '../../src/bypass/audit-evaluation.js';
import { loadConfig } from '../../src/config/load.js';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { actor, configOf, file, prFacts, T0 } from '../helpers/facts.js';
import { redisDeps } from './helpers.js';

const CONFIG = configOf(`
roles:
  on_call_engineer: ["olive"]
bypass:
  emergency: { allowed: [on_call_engineer] }
  test_environments: { branches: ["staging", "test/**"], environments: ["staging", "preview-*"] }
  protected_environments: ["production"]
`);
const gate = (number: number, headSha: string): GateRef => ({ installationId: 3, owner: 'acme', repo: 'api', number, headSha, configVersion: 'v1' });
const expertPr = (number: number, baseRef: string, headSha = 'h1') =>
  classify(prFacts({ number, baseRef, headSha, files: [file('src/auth/session.ts', 30), file('src/app.ts', 300)] }), CONFIG);

describe('test environments', () => {
  const env = redisDeps('testenv');
  afterAll(() => env.close());

  it('passes a PR into a test branch automatically and audits each item once per head', async () => {
    const plan = expertPr(10, 'staging');
    const evaluation = evaluate(plan, { events: [] }, T0);
    expect(evaluation.verdict).toEqual({ state: 'pass', summary: 'all checkpoints bypassed' });
    env.setNow(T0);
    expect(await auditBypasses(env.deps, evaluation, gate(10, 'h1'))).toBe(plan.items.length);
    expect(await auditBypasses(env.deps, evaluation, gate(10, 'h1'))).toBe(0);
    const entries = await env.audit.query({ action: 'bypassed', repo: 'acme/api' });
    expect(entries.map((e) => [e.pr, e.checkpoint, e.actor, e.details])).toEqual(
      plan.items.map((i) => [10, i.name, 'hitl', { kind: 'test_environment', branch: 'staging' }]),
    );
    expect(entries[0]).toMatchObject({ headSha: 'h1', configVersion: 'v1', reason: 'base branch staging is a test environment' });

    // A new push is a new decision.
    const pushed = evaluate(expertPr(10, 'staging', 'h2'), { events: [] }, T0 + 1);
    expect(await auditBypasses(env.deps, pushed, gate(10, 'h2'))).toBe(plan.items.length);
  });

  it('passes a PR into a branch matched by a test glob', () => {
    expect(evaluate(expertPr(13, 'test/load-tests'), { events: [] }, T0).verdict.state).toBe('pass');
  });

  it('never bypasses a protected environment', () => {
    const plan = expertPr(11, 'production');
    expect(plan.testBranch).toBe(false);
    const evaluation = evaluate(plan, { events: [] }, T0);
    expect(evaluation.verdict.state).toBe('pending');
    expect(bypassEntries(evaluation, gate(11, 'h1'), T0)).toEqual([]);
    expect(CONFIG.bypass.isTestEnvironment('production')).toBe(false);
  });

  it('rejects a config whose test branches or environments cover a protected one, with its line', () => {
    for (const test of ['environments: ["staging", "production"]', 'branches: ["**"]']) {
      const loaded = loadConfig({ repository: `bypass:\n  test_environments: { ${test} }\n  protected_environments: ["production"]\n` });
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.errors).toMatchObject([{ message: '"production" is both a protected environment and a test environment', line: 3 }]);
    }
  });
});

describe('emergency bypass in the audit log', () => {
  const env = redisDeps('emergency-audit');
  afterAll(() => env.close());

  it('writes one bypassed entry per item for one bypass, however often the gate re-evaluates', async () => {
    const plan = expertPr(12, 'main');
    const events = [{ kind: 'bypass' as const, actor: actor('olive'), justification: 'session store is corrupting logins', source: 'command' as const, at: T0 }];
    env.setNow(T0 + 10);
    const evaluation = evaluate(plan, { events }, T0 + 10);
    expect(await auditBypasses(env.deps, evaluation, gate(12, 'h1'))).toBe(plan.items.length);
    // A push after the bypass: the same bypass, still in force, is not a new decision.
    expect(await auditBypasses(env.deps, evaluate(expertPr(12, 'main', 'h2'), { events }, T0 + 20), gate(12, 'h2'))).toBe(0);
    const entries = await env.audit.query({ action: 'bypassed', actor: 'olive' });
    expect(entries.map((e) => [e.checkpoint, e.reason, e.workflow, e.details])).toEqual(
      plan.items.map((i) => [i.name, 'session store is corrupting logins', 'emergency', { kind: 'emergency', bypassedAt: T0 }]),
    );
  });

  it('writes one unbypassed entry, by whoever withdrew it, when the bypass is gone', async () => {
    const plan = expertPr(14, 'main');
    const bypass = { kind: 'bypass' as const, actor: actor('olive'), justification: 'session store is corrupting logins', source: 'command' as const, at: T0 };
    env.setNow(T0 + 10);
    await auditBypasses(env.deps, evaluate(plan, { events: [bypass] }, T0 + 10), gate(14, 'h1'), { events: [bypass] });
    const withdrawn = { events: [bypass, { kind: 'unbypass' as const, actor: actor('lena'), at: T0 + 60 }] };
    env.setNow(T0 + 70);
    const after = evaluate(plan, withdrawn, T0 + 70);
    expect(after.verdict.state).toBe('pending');
    expect(await auditBypasses(env.deps, after, gate(14, 'h1'), withdrawn)).toBe(1);
    expect(await auditBypasses(env.deps, after, gate(14, 'h1'), withdrawn)).toBe(0);
    expect(await env.audit.query({ action: 'unbypassed', repo: 'acme/api' })).toMatchObject([{ pr: 14, actor: 'lena', details: { kind: 'emergency', bypassedAt: T0 } }]);
  });
});
