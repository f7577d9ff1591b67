import { describe, expect, it } from '@jest/globals';
import { classify } from '../../src/policy/classify.js';
import type { PolicyDiff, PullDifference } from '../../src/policy/difference.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { inert, renderPolicyDiff } from '../../src/report/policy-diff.js';
import { MAX_SUMMARY_CHARS, renderGate } from '../../src/report/render.js';
import { configOf, prFacts, T0 } from '../helpers/facts.js';

const HOSTILE_TITLE = 'Fix | <img src=x onerror=alert(1)> [click](javascript:alert(1)) @acme/everyone `x` **bold**\n| #999 forged row |\u202e';
const hostile = (number: number): PullDifference => ({
  number,
  title: `${HOSTILE_TITLE}${'x'.repeat(5000)}`,
  before: { workflow: 'peer', checkpoints: [] },
  after: { workflow: 'expert', checkpoints: ['security_review'] },
  why: [`+ security_review: security_related_change: src/<script>alert(1)</script>/${'a/'.repeat(3000)}x.ts`],
});
const compared = (differences: PullDifference[]): PolicyDiff => ({ kind: 'compared', baseRef: 'main', compared: differences.length + 5, differences });
const rowsOf = (text: string) => text.split('\n').filter((line) => line.startsWith('| #'));

describe('the policy-diff section', () => {
  it('shows hostile titles and paths as inert text: no HTML, link, mention, code span or extra table cell', () => {
    const text = renderPolicyDiff(compared([hostile(12)]));
    const [row] = rowsOf(text);
    expect(row).toBeDefined();
    expect(row).not.toMatch(/(?<!\\)[<>[\]`@*]/);
    expect(row!.match(/(?<!\\)\|/g)).toHaveLength(5); // four cells
    expect(row).not.toContain('\u202e');
    expect(row!.startsWith('| #12 Fix \\| \\<img src\\=x')).toBe(true);
  });

  it('lists at most 50 pull requests, then says how many more, well inside the summary limit', () => {
    const text = renderPolicyDiff(compared(Array.from({ length: 120 }, (_, i) => hostile(i + 1))));
    expect(rowsOf(text).length).toBeLessThanOrEqual(50);
    expect(text).toContain(`… and ${120 - rowsOf(text).length} more.`);
    expect(text.length).toBeLessThan(35_000);
  });

  it('keeps the gate’s own table whole in the check summary beside a full policy-diff', () => {
    const config = configOf();
    const plan = classify(prFacts({ files: [{ path: '.hitl.yml', additions: 3, deletions: 0 }] }), config);
    const { summary } = renderGate({ plan, evaluation: evaluate(plan, { events: [] }, T0), policyDiff: compared(Array.from({ length: 500 }, (_, i) => hostile(i + 1))) });
    expect(summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(summary).toContain('| `security_review` |');
    expect(summary).not.toContain('cut at GitHub’s summary limit');
  });

  it('shows the proposed file’s errors with line and column instead of a table', () => {
    const text = renderPolicyDiff({ kind: 'invalid', errors: [{ severity: 'error', message: 'expected a number', path: ['classification', 'peer_review_max_lines'], source: 'repository', line: 4, column: 26 }] });
    expect(text.replace(/\\(.)/g, '$1')).toContain('- .hitl.yml:4:26: error: ');
    expect(rowsOf(text)).toEqual([]);
  });

  it('says when the file is the organisation’s defaults, whose other repositories are not compared', () => {
    expect(renderPolicyDiff({ kind: 'compared', baseRef: 'main', orgDefaults: true, compared: 0, differences: [] })).toContain("holds the organisation's defaults: only this repository's open pull requests are compared");
  });

  it('inert cuts long text on a character boundary', () => {
    expect(inert('ab😀cd', 4)).toBe('ab😀…');
  });
});
