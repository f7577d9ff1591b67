import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { classify } from '../../src/policy/classify.js';
import type { ChangedFile, Plan, PrFacts } from '../../src/policy/types.js';
import { configOf, file, prFacts } from '../helpers/facts.js';


const BUILT_IN = configOf();
const EXAMPLE = configOf(readFileSync(new URL('../config/fixtures/product-example.yml', import.meta.url), 'utf8'));

const plan = (overrides: Partial<PrFacts>, config = BUILT_IN): Plan => classify(prFacts(overrides), config);
const active = (p: Plan) => p.items.map((i) => i.name);
const many = (count: number, dir: string, lines = 1): ChangedFile[] => Array.from({ length: count }, (_, i) => file(`${dir}/f${i}.ts`, lines));

describe('workflows', () => {
  it('automatic: only low-risk paths and no trigger', () => {
    const p = plan({ files: [file('README.md', 400), file('docs/guide.md', 50)] });
    expect(p.workflow).toBe('automatic');
    expect(p.items).toEqual([]);
    expect(p.workflowReasons).toEqual([{ kind: 'low-risk', detail: 'only low-risk paths changed and no trigger fired' }]);
  });

  it('automatic: a pull request without changed files', () => {
    expect(plan({ files: [] }).workflowReasons[0]?.detail).toBe('no files changed');
  });

  it('peer: a small change outside low-risk paths, reviewed by any collaborator with write access', () => {
    const p = plan({ files: [file('src/app.ts', 120), file('README.md', 900)] });
    expect(p.workflow).toBe('peer');
    expect(p.changedLines).toBe(120);
    expect(p.items).toEqual([expect.objectContaining({ name: 'peer_review', kind: 'workflow', approvals: 1, timeoutMs: 24 * 3_600_000, dismissStaleApprovals: false })]);
    expect(p.items[0]!.approvers).toEqual({ roles: [], members: [{ kind: 'permission', level: 'write' }] });
  });

  it('expert: at or above peer_review_max_lines, reviewed by a senior developer', () => {
    const p = plan({ files: [file('src/app.ts', 150), file('src/lib.ts', 50)] });
    expect(p.workflow).toBe('expert');
    expect(p.workflowReasons[0]!.detail).toBe('200 changed lines ≥ 200 (peer review is for smaller changes)');
    expect(p.items).toEqual([expect.objectContaining({ name: 'expert_review', approvers: { roles: ['senior_developer'], members: [{ kind: 'permission', level: 'maintain' }] } })]);
  });

  it('expert: the size threshold follows the config', () => {
    const config = configOf('classification:\n  peer_review_max_lines: 50\n');
    expect(plan({ files: [file('src/app.ts', 60)] }, config).workflow).toBe('expert');
    expect(plan({ files: [file('src/app.ts', 40)] }, config).workflow).toBe('peer');
  });

  it('emergency: the emergency label asks for a bypass; the risk underneath is kept', () => {
    const p = plan({ labels: ['Emergency'], files: [file('src/auth/session.ts')] });
    expect(p).toMatchObject({ workflow: 'emergency', riskWorkflow: 'expert', emergencyRequested: true });
    expect(p.workflowReasons.at(-1)).toEqual({ kind: 'label', detail: 'label "emergency" asks for an emergency bypass' });
  });

  it('a pull request with more files than GitHub lists is never below expert, even if the listed ones are low-risk', () => {
    const files = Array.from({ length: 3000 }, (_, i) => file(`docs/page${i}.md`, 1));
    const p = plan({ files, changedFiles: 3400, additions: 3400 });
    expect(p.riskWorkflow).toBe('expert');
    expect(p.workflowReasons.map((r) => r.kind)).toContain('truncated');
    // Unlisted files may touch sensitive paths: path-triggered checkpoints open, failing closed.
    expect(active(p)).toEqual(expect.arrayContaining(['architecture_review', 'breaking_change', 'security_review']));
  });

  it('a test branch as base is noted for the bypass', () => {
    const config = configOf('bypass:\n  test_environments: { branches: ["staging", "test/**"] }\n');
    expect(plan({ baseRef: 'test/feature-x' }, config).testBranch).toBe(true);
    expect(plan({ baseRef: 'main' }, config).testBranch).toBe(false);
    expect(plan({ baseRef: 'test/feature-x' }, config).workflowReasons.at(-1)?.detail).toBe('base branch test/feature-x is a test environment');
  });
});

describe('the five checkpoints', () => {
  it.each([
    ['architecture_review', { labels: ['architecture'] }, 'label'],
    ['architecture_review', { files: many(50, 'src/core') }, 'size'],
    ['architecture_review', { files: [file('src/big.ts', 1000)] }, 'size'],
    ['breaking_change', { labels: ['breaking-change'] }, 'label'],
    ['breaking_change', { title: 'feat(api)!: drop v1 endpoints' }, 'title'],
    ['breaking_change', { title: 'refactor!: rename the client' }, 'title'],
    ['breaking_change', { files: [file('proto/user/v1/user.proto')] }, 'path'],
    ['security_review', { files: [file('src/auth/session.ts')] }, 'path'],
    ['security_review', { files: [file('package-lock.json', 3)] }, 'path'],
    ['security_review', { files: [file('.github/workflows/ci.yml')] }, 'path'],
    ['security_review', { files: [{ path: 'src/legacy/session.ts', previousPath: 'src/auth/session.ts', additions: 0, deletions: 0 }] }, 'path'],
    ['security_review', { labels: ['SECURITY'] }, 'label'],
    ['performance_impact', { labels: ['performance'] }, 'label'],
    ['performance_impact', { title: 'perf(db): batch the inserts' }, 'title'],
    ['rollback_decision', { labels: ['rollback'] }, 'label'],
    ['rollback_decision', { isRevert: true, title: 'Revert "Add caching"' }, 'revert'],
  ] as Array<[string, Partial<PrFacts>, string]>)('%s is reached from %j (%s)', (checkpoint, overrides, kind) => {
    const p = plan(overrides);
    expect(active(p)).toContain(checkpoint);
    expect(p.workflow).toBe('expert');
    expect(p.items.find((i) => i.name === checkpoint)!.reasons.map((r) => r.kind)).toContain(kind);
  });

  it('reaches checkpoints from the paths of product.md\'s example config', () => {
    expect(active(plan({ files: [file('src/core/kernel.ts')] }, EXAMPLE))).toEqual(['architecture_review']);
    expect(active(plan({ files: [file('src/api/users.ts')] }, EXAMPLE))).toEqual(['breaking_change']);
    expect(active(plan({ files: [file('src/engine/loop.ts')] }, EXAMPLE))).toEqual(['performance_impact']);
    expect(active(plan({ files: many(25, 'src/ui') }, EXAMPLE))).toEqual(['architecture_review']);
  });

  it('explains a path trigger with the paths that matched, three at most', () => {
    const p = plan({ files: many(5, 'src/auth') });
    expect(p.items[0]!.reasons[0]).toEqual({ kind: 'path', detail: 'security_related_change: src/auth/f0.ts, src/auth/f1.ts, src/auth/f2.ts and 2 more' });
  });

  it('an active required checkpoint replaces the expert review; the checkpoint carries the seed\'s criteria and SLA', () => {
    const p = plan({ files: [file('src/auth/session.ts')] });
    expect(active(p)).toEqual(['security_review']);
    expect(p.items[0]).toMatchObject({
      kind: 'checkpoint',
      approvers: { roles: ['security_team'] },
      criteria: ['security_assessment', 'vulnerability_analysis', 'best_practices', 'compliance_requirements'],
      timeoutMs: 24 * 3_600_000,
      dismissStaleApprovals: 'changed_paths',
    });
    expect(p.workflowReasons).toEqual([{ kind: 'path', detail: 'checkpoint security_review is active' }]);
  });

  it('a checkpoint marked required: false still makes the change expert, and the expert review gates it', () => {
    const config = configOf('checkpoints:\n  performance_impact:\n    required: false\n');
    const p = plan({ labels: ['performance'] }, config);
    expect(p.workflow).toBe('expert');
    expect(p.items.map((i) => [i.name, i.required])).toEqual([['performance_impact', false], ['expert_review', true]]);
  });

  it('several triggers open several checkpoints', () => {
    const p = plan({ title: 'feat!: new login API', files: [file('src/auth/login.ts')], labels: ['performance'] });
    expect(active(p)).toEqual(['breaking_change', 'security_review', 'performance_impact']);
  });

  it('matches titles only on their first 256 characters', () => {
    const config = configOf('triggers:\n  performance_critical: { title: "faster" }\n');
    expect(active(plan({ title: `${'x'.repeat(240)} faster` }, config))).toEqual(['performance_impact']);
    expect(active(plan({ title: `${'x'.repeat(300)} faster` }, config))).toEqual(['peer_review']);
  });

  it('carries the ticked criteria of the description into the plan', () => {
    expect(plan({ body: '- [x] Migration strategy\n- [ ] rollback_plan' }).tickedCriteria).toEqual(['migration strategy']);
  });
});
