import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.js';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { actor, file, prFacts, T0 } from '../helpers/facts.js';

describe('engine smoke', () => {
  it('classifies a small src change as peer and passes after a non-author approval', () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const plan = classify(prFacts({ files: [file('src/a.ts', 100), file('README.md', 500)] }), loaded.config);
    expect(plan.workflow).toBe('peer');
    const before = evaluate(plan, { events: [] }, T0);
    expect(before.verdict.state).toBe('pending');
    const after = evaluate(plan, { events: [{ kind: 'review', actor: actor('bob'), state: 'APPROVED', commitSha: 'head1', at: T0 + 1 }] }, T0 + 2);
    expect(after.verdict.state).toBe('pass');
  });
});
