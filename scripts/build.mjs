#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ into lib/ and marks the build done. With `--if-stale` (what
 * `npm start`, `npm run demo` and `npm run bench` run first) it compiles only when lib/ was never
 * built or a source is newer than the last good build, so an up-to-date start skips tsc.
 * Plain JavaScript because it has to run before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = process.cwd();
/** Written after a successful build, dated when that build started: a source saved during tsc still counts as newer. */
const STAMP = join(root, 'lib', '.build-stamp');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Why lib/ must be rebuilt, or undefined when it is up to date. */
function staleness() {
  if (!existsSync(STAMP)) return 'lib/ has not been built';
  const builtAt = statSync(STAMP).mtimeMs;
  const newest = Math.max(...INPUTS.map((input) => newestMtime(join(root, input))));
  return newest > builtAt ? 'sources changed since the last build' : undefined;
}

function build() {
  const startedAt = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  chmodSync(join(root, 'lib', 'cli', 'main.js'), 0o755); // the `hitl` bin, run directly by npx
  writeFileSync(STAMP, '');
  utimesSync(STAMP, startedAt, startedAt);
  return 0;
}

if (process.argv.includes('--if-stale')) {
  const reason = staleness();
  if (reason) {
    console.error(`hitl: building lib/ (${reason})`);
    process.exitCode = build();
  }
} else {
  process.exitCode = build();
}
