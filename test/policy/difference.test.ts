import { describe, expect, it } from '@jest/globals';
import { classify } from '../../src/policy/classify.js';
import { changesConfig, differenceOf, policyDiff } from '../../src/policy/difference.js';
import type { PrFacts } from '../../src/policy/types.js';
import { configOf, file, prFacts } from '../helpers/facts.js';

const CURRENT = configOf(`
triggers:
  security_related_change: { paths: ["src/auth/**"], labels: [security] }
`);
/** Payments become security-relevant, only a "BREAKING:" title is a breaking change, peer review stops at 100 lines. */
const PROPOSED = configOf(`
triggers:
  security_related_change: { paths: ["src/auth/**", "src/payments/**"], labels: [security] }
  api_modification: { paths: ["src/api/**"], labels: [breaking-change], title: "^BREAKING:" }
classification:
  peer_review_max_lines: 100
`);

const both = (facts: Partial<PrFacts>) => differenceOf(classify(prFacts(facts), CURRENT), classify(prFacts(facts), PROPOSED));

describe('differenceOf: one change under two policies', () => {
  it('is undefined when both give the same workflow and checkpoints', () => {
    expect(both({ files: [file('src/auth/login.ts', 20)] })).toBeUndefined();
    expect(both({ files: [file('docs/a.md', 500)] })).toBeUndefined();
  });

  it('names a gained checkpoint with the trigger and path that fire it, and the workflow it moves to', () => {
    expect(both({ files: [file('src/payments/pay.ts', 20)] })).toEqual({
      before: { workflow: 'peer', checkpoints: [] },
      after: { workflow: 'expert', checkpoints: ['security_review'] },
      why: ['+ security_review: security_related_change: src/payments/pay.ts', 'peer → expert: checkpoint security_review is active'],
    });
  });

  it('names a lost checkpoint with what fired it before', () => {
    const difference = both({ title: 'feat!: drop v1', files: [file('src/app.ts', 20)] });
    expect(difference?.before).toEqual({ workflow: 'expert', checkpoints: ['breaking_change'] });
    expect(difference?.after).toEqual({ workflow: 'peer', checkpoints: [] });
    expect(difference?.why[0]).toMatch(/^− breaking_change: no longer fires \(before: api_modification: title matches \//);
    expect(difference?.why[1]).toBe('expert → peer: 20 changed lines < 100 in 1 file(s), no trigger fired');
  });

  it('names a workflow moved by a size threshold', () => {
    expect(both({ files: [file('src/app.ts', 150)] })).toEqual({
      before: { workflow: 'peer', checkpoints: [] },
      after: { workflow: 'expert', checkpoints: [] },
      why: ['peer → expert: 150 changed lines ≥ 100 (peer review is for smaller changes)'],
    });
  });
});

describe('policyDiff: the open pull requests a proposed .hitl.yml would gate differently', () => {
  it('compares only pull requests into the same base, lists those that differ by number, with why', () => {
    const pulls = [
      prFacts({ number: 9, title: 'Docs', files: [file('docs/a.md')] }),
      prFacts({ number: 8, title: 'Bigger', files: [file('src/app.ts', 150)] }),
      prFacts({ number: 3, title: 'Payments', files: [file('src/payments/pay.ts')] }),
      prFacts({ number: 4, title: 'Elsewhere', baseRef: 'release', files: [file('src/payments/pay.ts')] }),
    ];
    const diff = policyDiff(pulls, 'main', CURRENT, PROPOSED);
    expect(diff).toMatchObject({ kind: 'compared', baseRef: 'main', compared: 3 });
    expect(diff.kind === 'compared' && diff.differences.map((d) => [d.number, d.title, d.after.workflow, d.after.checkpoints])).toEqual([
      [3, 'Payments', 'expert', ['security_review']],
      [8, 'Bigger', 'expert', []],
    ]);
  });

  it('is an empty comparison when no other pull request is open into the base', () => {
    expect(policyDiff([], 'main', CURRENT, PROPOSED)).toEqual({ kind: 'compared', baseRef: 'main', compared: 0, differences: [] });
  });
});

describe('changesConfig', () => {
  it('is true when the repository file is added, edited, removed or renamed, not for a nested one', () => {
    expect(changesConfig([file('.hitl.yml')])).toBe(true);
    expect(changesConfig([{ path: 'old.yml', previousPath: '.hitl.yml', additions: 0, deletions: 0 }])).toBe(true);
    expect(changesConfig([file('sub/.hitl.yml'), file('src/app.ts')])).toBe(false);
  });
});
