import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import type { ResolveResult } from '../../src/config/resolve.js';

const EXAMPLE = readFileSync(new URL('./fixtures/product-example.yml', import.meta.url), 'utf8');
const SEED = readFileSync(new URL('./fixtures/seed.yml', import.meta.url), 'utf8');

/** Every outcome is a value: valid, or errors that each say something and point inside the file. */
function expectWellFormed(result: ResolveResult, text: string) {
  expect(typeof result.ok).toBe('boolean');
  const lines = text.split('\n').length;
  for (const issue of result.ok ? result.warnings : [...result.errors, ...result.warnings]) {
    expect(issue.message.length).toBeGreaterThan(0);
    if (issue.line !== undefined) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lines + 1);
    }
  }
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
}

const KEYS = ['checkpoints', 'approval_workflows', 'escalation_levels', 'roles', 'triggers', 'classification', 'notify', 'bypass',
  'security_review', 'peer_review', 'level_1', 'trigger', 'approver', 'timeout', 'paths', 'labels', 'title', 'cron', 'toString',
  '__proto__', 'constructor', 'maintenance_windows', 'auto_approve', 'name', 'duration', 'start', 'end', 'required', 'approvals'];
const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('24_hours', '2h', '[', '**', '0 2 * * 6'));
const yamlish = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 })),
})).node;

describe('the loader never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 300 }), (text) => expectWellFormed(loadConfig({ repository: text }), text)));
  });

  it('on arbitrary YAML-ish documents built from real keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...KEYS), yamlish, { maxKeys: 5 }), (doc) => {
        const text = stringify(doc);
        expectWellFormed(loadConfig({ repository: text }), text);
        expectWellFormed(loadConfig({ organization: text, repository: text }), text);
      }),
      { numRuns: 300 },
    );
  });

  it('on valid files cut or spliced at random', () => {
    const base = `${SEED}\n${EXAMPLE}`;
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 8 }), (from, to, insert) => {
        const text = base.slice(0, Math.min(from, to)) + insert + base.slice(Math.max(from, to));
        expectWellFormed(loadConfig({ repository: text }), text);
      }),
      { numRuns: 300 },
    );
  });
});
