import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import type { ResolvedConfig } from '../../src/config/types.js';
import { classify } from '../../src/policy/classify.js';
import { WORKFLOW_RISK, type ChangedFile, type PrFacts } from '../../src/policy/types.js';
import { configOf, prFacts } from '../helpers/facts.js';

const CONFIGS: Array<[string, ResolvedConfig]> = [
  ['built-in', configOf()],
  ['product.md example', configOf(readFileSync(new URL('../config/fixtures/product-example.yml', import.meta.url), 'utf8'))],
];

const DIRS = ['src', 'src/auth', 'src/core', 'src/api', 'src/engine', 'docs', '.github/workflows', 'proto', 'test', ''];
const NAMES = ['a.ts', 'README.md', 'user.proto', 'package-lock.json', 'ci.yml', 'logo.png', 'openapi.yaml', 'x.go'];
const pathArb = fc.tuple(fc.constantFrom(...DIRS), fc.constantFrom(...NAMES)).map(([dir, name]) => (dir ? `${dir}/${name}` : name));
const fileArb: fc.Arbitrary<ChangedFile> = fc.record(
  { path: pathArb, previousPath: pathArb, additions: fc.nat(400), deletions: fc.nat(400) },
  { requiredKeys: ['path', 'additions', 'deletions'] },
);
const LABELS = ['architecture', 'breaking-change', 'security', 'performance', 'rollback', 'emergency', 'docs', 'Security', 'bug'];
const TITLES = ['Improve things', 'feat!: drop v1', 'perf(db): batch', 'Revert "x"', 'fix: typo', 'feat(api)!: new'];
const factsArb = fc.record({
  files: fc.array(fileArb, { maxLength: 40 }),
  labels: fc.uniqueArray(fc.constantFrom(...LABELS), { maxLength: 4 }),
  title: fc.constantFrom(...TITLES),
  isRevert: fc.boolean(),
});

const factsOf = (f: { files: ChangedFile[]; labels: string[]; title: string; isRevert: boolean }): PrFacts => prFacts(f);
const risk = (facts: PrFacts, config: ResolvedConfig) => {
  const plan = classify(facts, config);
  return { workflow: WORKFLOW_RISK[plan.workflow], risk: WORKFLOW_RISK[plan.riskWorkflow], items: plan.items.filter((i) => i.kind === 'checkpoint').map((i) => i.name) };
};

describe.each(CONFIGS)('classification properties (%s config)', (_, config) => {
  it('adding a file never lowers the workflow\'s risk nor closes a checkpoint', () => {
    fc.assert(
      fc.property(factsArb, fileArb, fc.nat(), (f, extra, at) => {
        const files = [...f.files];
        files.splice(at % (files.length + 1), 0, extra);
        const before = risk(factsOf(f), config);
        const after = risk(factsOf({ ...f, files }), config);
        expect(after.workflow).toBeGreaterThanOrEqual(before.workflow);
        expect(after.risk).toBeGreaterThanOrEqual(before.risk);
        expect(after.items).toEqual(expect.arrayContaining(before.items));
      }),
    );
  });

  it('adding a label never lowers the workflow\'s risk nor closes a checkpoint', () => {
    fc.assert(
      fc.property(factsArb, fc.constantFrom(...LABELS), (f, label) => {
        const before = risk(factsOf(f), config);
        const after = risk(factsOf({ ...f, labels: [...f.labels, label] }), config);
        expect(after.workflow).toBeGreaterThanOrEqual(before.workflow);
        expect(after.items).toEqual(expect.arrayContaining(before.items));
      }),
    );
  });

  it('a list cut at GitHub\'s 3,000 files is never below expert', () => {
    fc.assert(
      fc.property(factsArb, fc.integer({ min: 3001, max: 100_000 }), (f, changedFiles) => {
        const plan = classify({ ...factsOf(f), changedFiles }, config);
        expect(WORKFLOW_RISK[plan.riskWorkflow]).toBeGreaterThanOrEqual(WORKFLOW_RISK.expert);
      }),
    );
  });

  it('is deterministic and does not depend on the order of files or labels', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const facts = factsOf(f);
        const plan = classify(facts, config);
        expect(classify(facts, config)).toEqual(plan);
        const reordered = classify(factsOf({ ...f, files: [...f.files].reverse(), labels: [...f.labels].reverse() }), config);
        expect(reordered.workflow).toBe(plan.workflow);
        expect(reordered.items.map((i) => i.name)).toEqual(plan.items.map((i) => i.name));
      }),
    );
  });
});
