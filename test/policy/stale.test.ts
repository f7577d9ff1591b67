/**
 * Approvals that still hold (policy/stale.ts): what counts as a change between the head an
 * approval was given on and the current head, attacker's edits included, and failing closed.
 */
import { describe, expect, it } from '@jest/globals';
import { classify } from '../../src/policy/classify.js';
import { changedBetween, fingerprintOf, headVerdict, olderHeadVerdicts, samePatches, type PatchFingerprint } from '../../src/policy/stale.js';
import { MAX_LISTED_FILES, type ChangedFile } from '../../src/policy/types.js';
import { configOf, prFacts } from '../helpers/facts.js';

const changed = (path: string, patchId: string, previousPath?: string): ChangedFile => ({ path, additions: 1, deletions: 1, patchId, ...(previousPath ? { previousPath } : {}) });
const fp = (...files: ChangedFile[]): PatchFingerprint => fingerprintOf(files, files.length);

const APPROVED = fp(changed('src/api/users.ts', 'p1'), changed('src/auth/login.ts', 'p2'));
const inApi = (path: string) => path.startsWith('src/api/');

describe('changedBetween: the files whose change differs from the approved head', () => {
  it('is empty for identical patches (a rebase, a clean merge of the base), whatever the order', () => {
    expect(changedBetween(APPROVED, fp(changed('src/auth/login.ts', 'p2'), changed('src/api/users.ts', 'p1')))).toEqual([]);
  });

  it('names a file whose patch changed, even by an edit of the same size', () => {
    expect(changedBetween(APPROVED, fp(changed('src/api/users.ts', 'p1-same-size'), changed('src/auth/login.ts', 'p2')))).toEqual(['src/api/users.ts']);
  });

  it('names a file added and a file removed since', () => {
    expect(changedBetween(APPROVED, fp(changed('src/api/users.ts', 'p1'), changed('src/auth/login.ts', 'p2'), changed('src/api/admin.ts', 'p3')))).toEqual(['src/api/admin.ts']);
    expect(changedBetween(APPROVED, fp(changed('src/auth/login.ts', 'p2')))).toEqual(['src/api/users.ts']);
  });

  it('names both sides of a rename, and a rename whose content is unchanged but whose old path moved', () => {
    const renamed = fp(changed('src/api/people.ts', 'p1', 'src/api/users.ts'), changed('src/auth/login.ts', 'p2'));
    expect(changedBetween(APPROVED, renamed)).toEqual(['src/api/people.ts', 'src/api/users.ts']);
    const movedFrom = fp(changed('lib/people.ts', 'p1', 'src/api/other.ts'));
    expect(changedBetween(fp(changed('lib/people.ts', 'p1', 'src/api/users.ts')), movedFrom)).toEqual(['lib/people.ts', 'src/api/other.ts', 'src/api/users.ts']);
  });

  it('sees a change of a file named like an object property (`__proto__`, `constructor`)', () => {
    for (const path of ['__proto__', 'constructor', 'toString']) {
      expect(changedBetween(fp(changed(path, 'a')), fp(changed(path, 'b')))).toEqual([path]);
      expect(changedBetween(fp(), fp(changed(path, 'b')))).toEqual([path]);
    }
  });

  it('cannot say (undefined) without a complete fingerprint on both sides: none recorded, a file without a patch id, or a cut list', () => {
    expect(changedBetween(undefined, APPROVED)).toBeUndefined();
    const unhashed = fingerprintOf([{ path: 'logo.png', additions: 0, deletions: 0 }]);
    expect(unhashed.complete).toBe(false);
    expect(changedBetween(unhashed, unhashed)).toBeUndefined();
    expect(fingerprintOf([changed('a.ts', 'x')], 2).complete).toBe(false);
    const many = Array.from({ length: MAX_LISTED_FILES }, (_, i) => changed(`f${i}.ts`, `p${i}`));
    expect(fingerprintOf(many).complete).toBe(false);
    expect(changedBetween(APPROVED, fingerprintOf(many))).toBeUndefined();
  });

  it('knows when a recorded fingerprint is the same as this head’s (nothing to write)', () => {
    expect(samePatches(APPROVED, fp(changed('src/auth/login.ts', 'p2'), changed('src/api/users.ts', 'p1')))).toBe(true);
    expect(samePatches(undefined, APPROVED)).toBe(false);
    expect(samePatches(APPROVED, fp(changed('src/api/users.ts', 'p1')))).toBe(false);
  });
});

describe('headVerdict: whether approvals of the older head still count', () => {
  it('false keeps them, even when nothing is known', () => {
    expect(headVerdict(false, undefined, undefined)).toEqual({ holds: true });
    expect(headVerdict(false, inApi, ['src/api/users.ts'])).toEqual({ holds: true });
  });

  it('fails closed when the change is unknown', () => {
    expect(headVerdict('changed_paths', inApi, undefined)).toEqual({ holds: false });
    expect(headVerdict(true, undefined, undefined)).toEqual({ holds: false });
  });

  it('identical patches keep them under every setting', () => {
    expect(headVerdict(true, undefined, [])).toEqual({ holds: true });
    expect(headVerdict('changed_paths', undefined, [])).toEqual({ holds: true });
  });

  it('changed_paths drops them only for changes in the paths that fire the item', () => {
    expect(headVerdict('changed_paths', inApi, ['src/auth/login.ts'])).toEqual({ holds: true });
    expect(headVerdict('changed_paths', inApi, ['src/api/users.ts', 'src/auth/login.ts'])).toEqual({ holds: false, changed: ['src/api/users.ts'] });
  });

  it('changed_paths of an item not fired by paths alone, and true, drop them on any change', () => {
    expect(headVerdict('changed_paths', undefined, ['README.md'])).toEqual({ holds: false, changed: ['README.md'] });
    expect(headVerdict(true, inApi, ['README.md'])).toEqual({ holds: false, changed: ['README.md'] });
  });
});

describe('olderHeadVerdicts: per checkpoint, through the config', () => {
  const config = configOf(`
triggers:
  api_modification: { paths: ["src/api/**"], labels: [breaking-change] }
  security_related_change: { paths: ["src/auth/**"] }
`);
  const now = fp(changed('src/api/users.ts', 'p1-edited'), changed('src/auth/login.ts', 'p2'));

  it('resets only the checkpoint whose paths changed', () => {
    const plan = classify(prFacts({ files: [changed('src/api/users.ts', 'p1-edited'), changed('src/auth/login.ts', 'p2')] }), config);
    const verdicts = olderHeadVerdicts(plan.items, config, 'head2', ['head1', 'head2'], { current: now, older: new Map([['head1', APPROVED]]) });
    expect(verdicts['breaking_change']).toEqual({ head1: { holds: false, changed: ['src/api/users.ts'] } });
    expect(verdicts['security_review']).toEqual({ head1: { holds: true } });
  });

  it('a checkpoint its label also fired counts any change of the diff', () => {
    const plan = classify(prFacts({ labels: ['breaking-change'], files: [changed('src/api/users.ts', 'p1'), changed('src/auth/login.ts', 'p2-edited')] }), config);
    const current = fp(changed('src/api/users.ts', 'p1'), changed('src/auth/login.ts', 'p2-edited'));
    const verdicts = olderHeadVerdicts(plan.items, config, 'head2', ['head1'], { current, older: new Map([['head1', APPROVED]]) });
    expect(verdicts['breaking_change']).toEqual({ head1: { holds: false, changed: ['src/auth/login.ts'] } });
  });

  it('a file moved out of the checkpoint’s paths still resets it (the old path fires it too)', () => {
    const files = [changed('lib/users.ts', 'p1', 'src/api/users.ts'), changed('src/auth/login.ts', 'p2')];
    const plan = classify(prFacts({ files }), config);
    const verdicts = olderHeadVerdicts(plan.items, config, 'head2', ['head1'], { current: fp(...files), older: new Map([['head1', APPROVED]]) });
    expect(verdicts['breaking_change']).toEqual({ head1: { holds: false, changed: ['src/api/users.ts'] } });
    expect(verdicts['security_review']).toEqual({ head1: { holds: true } });
  });

  it('a head without a recorded fingerprint (Redis lost it) fails closed', () => {
    const plan = classify(prFacts({ files: [changed('src/api/users.ts', 'p1'), changed('src/auth/login.ts', 'p2')] }), config);
    const verdicts = olderHeadVerdicts(plan.items, config, 'head2', ['head1'], { current: APPROVED, older: new Map() });
    expect(verdicts['breaking_change']).toEqual({ head1: { holds: false } });
  });
});
