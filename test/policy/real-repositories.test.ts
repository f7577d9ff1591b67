/**
 * The built-in policy on changes taken from real histories (issue 13: tried on policy-bot, probot,
 * Prow and Flask). Each case names the commit it copies; file lists and line counts are as git
 * shows them.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { classify } from '../../src/policy/classify.js';
import type { ChangedFile, Plan } from '../../src/policy/types.js';
import { prFacts } from '../helpers/facts.js';

function configOf(repository?: string): ResolvedConfig {
  const result = loadConfig({ repository });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.config;
}
const BUILT_IN = configOf();
const change = (path: string, additions: number, deletions: number): ChangedFile => ({ path, additions, deletions });
const plan = (files: ChangedFile[], title = 'a change', config = BUILT_IN): Plan => classify(prFacts({ files, title }), config);
const active = (p: Plan) => p.items.map((i) => i.name);

describe('dependency manifests and lockfiles are security-relevant, never low-risk', () => {
  it('pallets/flask 81b3c85f "update requirements" (requirements/*.txt pins only) was automatic; now security review', () => {
    const p = plan([change('requirements/dev.txt', 29, 30), change('requirements/docs.txt', 12, 17), change('requirements/tests.txt', 1, 1)], 'update requirements');
    expect(p.workflow).toBe('expert');
    expect(active(p)).toEqual(['security_review']);
    expect(p.items[0]!.reasons[0]!.detail).toBe('security_related_change: requirements/dev.txt, requirements/docs.txt, requirements/tests.txt');
  });

  it('a root requirements.txt pin is not low-risk even though it ends in .txt', () => {
    expect(active(plan([change('requirements.txt', 1, 1)]))).toEqual(['security_review']);
    expect(active(plan([change('requirements-dev.txt', 1, 1)]))).toEqual(['security_review']);
  });

  it('pallets/flask 976459f7 "fix editable werkzeug" (pyproject.toml and uv.lock) got no attention; now security review', () => {
    const p = plan([change('pyproject.toml', 0, 3), change('uv.lock', 6, 39)], 'fix editable werkzeug');
    expect(active(p)).toEqual(['security_review']);
    expect(p.items[0]!.reasons[0]!.detail).toBe('security_related_change: pyproject.toml, uv.lock');
  });

  it.each([
    ['npm', 'package.json'], ['npm', 'packages/web/package-lock.json'], ['pnpm', 'pnpm-lock.yaml'], ['yarn', 'yarn.lock'],
    ['pip', 'requirements/tests-min.in'], ['poetry', 'poetry.lock'], ['pipenv', 'Pipfile.lock'],
    ['Go', 'go.mod'], ['Go', 'tools/go.sum'], ['Cargo', 'Cargo.toml'], ['Cargo', 'Cargo.lock'],
    ['Maven', 'pom.xml'], ['Gradle', 'app/build.gradle.kts'], ['Gradle', 'gradle/libs.versions.toml'],
    ['Bundler', 'Gemfile'], ['Bundler', 'Gemfile.lock'], ['Composer', 'composer.json'], ['Composer', 'composer.lock'],
  ])('%s: %s opens security review', (_ecosystem, path) => {
    expect(active(plan([change(path, 1, 1)]))).toEqual(['security_review']);
  });
});

describe('ownership files are security-relevant', () => {
  it.each(['OWNERS', 'pkg/plugins/approve/OWNERS', 'OWNERS_ALIASES', 'CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'])(
    'Prow and GitHub ownership file %s opens security review',
    (path) => {
      expect(active(plan([change(path, 2, 0)]))).toEqual(['security_review']);
    },
  );
});

describe('vendored, generated and lock files do not count toward size', () => {
  const protobufCve = (JSON.parse(readFileSync(new URL('./fixtures/policy-bot-protobuf-cve.json', import.meta.url), 'utf8')) as { files: ChangedFile[] }).files;

  it('palantir/policy-bot 19d0813 (protobuf 1.33.0, CVE-2024-24786: 53 files, 4,755 lines, a vendored .proto) is a security review only', () => {
    expect(protobufCve).toHaveLength(53);
    expect(protobufCve.some((f) => f.path === 'vendor/google.golang.org/protobuf/types/gofeaturespb/go_features.proto')).toBe(true);
    const p = plan(protobufCve, 'Bump google.golang.org/protobuf from 1.31.0 to 1.33.0 (#728)');
    // Before: architecture_review (53 files, 4,755 lines), breaking_change (the vendored .proto) and security_review.
    expect(active(p)).toEqual(['security_review']);
    expect(p.items[0]!.reasons[0]!.detail).toBe('security_related_change: go.mod, go.sum');
    expect(p.changedLines).toBe(2); // go.mod; go.sum is a lockfile and the rest is vendored
  });

  it('a CVE fix whose lockfile changed 1,294 lines is not an architecture change', () => {
    const p = plan([change('package.json', 1, 1), change('package-lock.json', 650, 644)], 'fix(deps): update dependency express to v4.19.2 [security]');
    expect(active(p)).toEqual(['security_review']);
    expect(p.changedLines).toBe(2);
  });

  it('a lockfile-heavy change without a trigger is peer-sized by its own lines, and says what it did not count', () => {
    const config = configOf('triggers:\n  security_related_change: { paths: ["src/auth/**"], labels: [security] }\n');
    const p = plan([change('src/app.ts', 40, 0), change('vendor/lib/a.go', 900, 0), change('api/user.pb.go', 500, 0)], 'vendor a library', config);
    expect(p.workflow).toBe('peer');
    expect(p.workflowReasons[0]!.detail).toBe('40 changed lines < 200 in 1 file(s), no trigger fired (not counting 1400 lines of vendored, generated or lock files)');
  });

  it('a file moved out of vendor/ into our code counts', () => {
    const moved: ChangedFile = { path: 'src/lib/a.go', previousPath: 'vendor/lib/a.go', additions: 300, deletions: 0 };
    expect(plan([moved]).workflow).toBe('expert');
  });

  it('a .proto of our own still fires breaking_change; a vendored or third_party copy does not', () => {
    expect(active(plan([change('api/v1/user.proto', 3, 1)]))).toEqual(['breaking_change']);
    expect(active(plan([change('vendor/github.com/x/y/api.proto', 3, 1)]))).toEqual(['peer_review']);
    expect(active(plan([change('third_party/googleapis/google/api/http.proto', 3, 1)]))).toEqual(['peer_review']);
  });

  it('classification.size_excluded_paths replaces the list, and an empty list counts every line again', () => {
    const counting = configOf('classification:\n  size_excluded_paths: []\n');
    expect(active(plan([change('package.json', 1, 1), change('package-lock.json', 650, 644)], 'bump', counting))).toEqual(['architecture_review', 'security_review']);
    const generatedOnly = configOf('classification:\n  size_excluded_paths: ["gen/**"]\n');
    expect(plan([change('gen/a.ts', 900, 0)], 'regenerate', generatedOnly).changedLines).toBe(0);
  });
});
