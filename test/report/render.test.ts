import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.js';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { MAX_SUMMARY_CHARS, renderConfigErrors, renderGate } from '../../src/report/render.js';
import { actor, configOf, file, prFacts, T0 } from '../helpers/facts.js';


describe('report rendering', () => {
  it('renders a fresh gate: workflow, reasons, approvers, criteria, deadline and the approve command', () => {
    const plan = classify(prFacts({ files: [file('src/auth/login.ts', 20)] }), configOf());
    const text = renderGate({ plan, evaluation: evaluate(plan, { events: [] }, T0) }).summary;
    expect(text).toContain('**Workflow: expert review** (pending)');
    expect(text).toContain('| `security_review` | ⏳ pending | security_team | 0/1 | ☐ security_assessment');
    expect(text).toContain('2026-11-25T09:00:00Z (24 h)');
    expect(text).toContain('`/approve security_review`');
  });

  it('shows approvals so far and ticked criteria in the gate summary', () => {
    const plan = classify(prFacts({ body: '- [x] Security assessment', files: [file('src/auth/login.ts', 20)] }), configOf());
    const evaluation = evaluate(plan, { events: [{ kind: 'review', actor: actor('sec', 'admin'), state: 'APPROVED', commitSha: 'head1', at: T0 + 1 }] }, T0 + 2);
    const { title, summary } = renderGate({ plan, evaluation, levels: { security_review: 2 } });
    expect(title).toBe('expert review: waiting for security_review');
    expect(summary).toContain('1/1 (@sec on head1)');
    expect(summary).toContain('☑ security_assessment<br>☐ vulnerability_analysis');
    expect(summary).toContain('| level 2 |');
  });

  it('keeps the summary within GitHub’s 65,535 characters however many files matched', () => {
    const files = Array.from({ length: 3000 }, (_, i) => file(`src/auth/${'x'.repeat(200)}${i}.ts`, 1));
    const plan = classify(prFacts({ files, title: 'y'.repeat(70_000) }), configOf());
    const evaluation = evaluate(plan, { events: [] }, T0);
    const { title, summary } = renderGate({ plan, evaluation, notes: ['n'.repeat(70_000)] });
    expect(summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(title.length).toBeLessThanOrEqual(250);
  });

  it('turns config errors into a failure title and line annotations, capped to the repository file', () => {
    const loaded = loadConfig({ repository: 'classification:\n  peer_review_max_lines: many\n', organization: 'bogus_key: 1\n' });
    if (loaded.ok) throw new Error('expected errors');
    const report = renderConfigErrors(loaded.errors);
    expect(report.title).toMatch(/^invalid \.hitl\.yml: <org>\/\.github\/\.hitl\.yml:1:1: error/);
    expect(report.annotations).toEqual([expect.objectContaining({ path: '.hitl.yml', start_line: 2, end_line: 2, annotation_level: 'failure' })]);
  });
});
