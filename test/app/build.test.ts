/**
 * `npm start`'s build step (scripts/build.mjs --if-stale) on a small project of its own in a
 * temporary directory: tsc runs when lib/ is missing or older than a source, and not otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(process.cwd(), 'scripts', 'build.mjs');
let project: string;

const buildIfStale = () => spawnSync(process.execPath, [SCRIPT, '--if-stale'], { cwd: project, encoding: 'utf8' });
const mtimeOf = (path: string) => statSync(join(project, path)).mtimeMs;
/** As if the last build had run a minute ago: every source written since is newer. */
const buildAMinuteAgo = () => {
  const earlier = new Date(Date.now() - 60_000);
  utimesSync(join(project, 'lib', '.build-stamp'), earlier, earlier);
};

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'hitl-build-'));
  mkdirSync(join(project, 'src', 'cli'), { recursive: true });
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] } }));
  writeFileSync(join(project, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'lib' }, include: ['src'] }));
  writeFileSync(join(project, 'src', 'cli', 'main.ts'), 'export const answer: number = 42;\n');
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('npm start builds only when it must', () => {
  it('builds when lib/ is missing, and leaves the bin executable', () => {
    const run = buildIfStale();
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('building lib/ (lib/ has not been built)');
    expect(statSync(join(project, 'lib', 'cli', 'main.js')).mode & 0o111).not.toBe(0);
  }, 60_000);

  it('does not run tsc when lib/ is up to date', () => {
    const before = mtimeOf('lib/cli/main.js');
    const run = buildIfStale();
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(mtimeOf('lib/cli/main.js')).toBe(before);
  }, 60_000);

  it('rebuilds when a source is newer than the last build', () => {
    buildAMinuteAgo();
    const run = buildIfStale();
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('sources changed since the last build');
    expect(buildIfStale().stderr).toBe(''); // the stamp of that build covers the edit
  }, 60_000);

  it('fails on a type error and tries again next time instead of starting stale code', () => {
    buildAMinuteAgo();
    writeFileSync(join(project, 'src', 'cli', 'main.ts'), 'export const answer: number = "42";\n');
    expect(buildIfStale().status).not.toBe(0);
    const again = buildIfStale();
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('sources changed since the last build');
  }, 60_000);
});
