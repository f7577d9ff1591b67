/**
 * Classification speed: PRs of 10, 300 and 3,000 files against configs of 10 and 500 path
 * rules. Configs are resolved (globs compiled) once, outside the timed loop, as the app does
 * per config version; the last rows show what resolving per pull request would cost instead,
 * and what testing every glob against every path (the matcher before the glob index) costs.
 * Then hostile patterns: a backtracking title pattern and glob against crafted inputs, on
 * JavaScript's engine (before) and as HITL runs them now.
 */
import picomatch from 'picomatch';
import { compileGlobs } from '../config/patterns.js';
import { resolveConfig } from '../config/resolve.js';
import type { HitlFile } from '../config/schema.js';
import type { ResolvedConfig } from '../config/types.js';
import { classify } from '../policy/classify.js';
import type { ChangedFile, PrFacts } from '../policy/types.js';
import { round, time } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const CHECKPOINTS = 10;

/** `rules` path globs spread over ten custom triggers, each behind its own checkpoint; a `salt` makes every glob new. */
export function benchConfigFile(rules: number, salt = ''): HitlFile {
  const triggers: NonNullable<HitlFile['triggers']> = {};
  const checkpoints: NonNullable<HitlFile['checkpoints']> = {};
  for (let t = 0; t < CHECKPOINTS; t++) {
    const paths: string[] = [];
    for (let i = t; i < rules; i += CHECKPOINTS) {
      paths.push(i % 3 === 0 ? `services/svc${i}${salt}/**/*.{ts,go}` : i % 3 === 1 ? `pkg/mod${i}${salt}/**` : `**/generated/gen${i}${salt}/*.proto`);
    }
    triggers[`zone_${t}`] = { paths };
    checkpoints[`zone_${t}_review`] = { trigger: `zone_${t}`, approver: 'technical_lead' };
  }
  return { triggers, checkpoints };
}

/** A deterministic pull request of `count` files, mixing matching, non-matching and low-risk paths. */
export function benchPullRequest(count: number): PrFacts {
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  const files: ChangedFile[] = Array.from({ length: count }, (_, i) => {
    const n = next() % 1_000;
    const path = [`services/svc${n}/src/handler${i}.ts`, `pkg/mod${n}/lib/file${i}.go`, `docs/page${i}.md`, `app/ui/component${i}.tsx`][i % 4]!;
    return { path, additions: next() % 40, deletions: next() % 10 };
  });
  return {
    number: 1, title: 'Refactor the services', body: '', author: 'dev', authorIsBot: false, baseRef: 'main', headSha: 'abc',
    draft: false, labels: [], files, changedFiles: count,
    additions: files.reduce((s, f) => s + f.additions, 0), deletions: files.reduce((s, f) => s + f.deletions, 0),
    isRevert: false, startedAt: 0,
  };
}

function resolved(file: HitlFile): ResolvedConfig {
  const result = resolveConfig({ repository: file });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.config;
}

/** Every trigger's globs tested one by one against every path, as before the index: the baseline of the 3,000 × 500 row. */
function naiveMatches(pr: PrFacts, file: HitlFile): () => number {
  const triggers = Object.values(file.triggers ?? {}).map((t) => picomatch(t.paths ?? [], { dot: true }));
  return () => pr.files.reduce((hits, f) => hits + triggers.filter((matches) => matches(f.path)).length, 0);
}

const HOSTILE_TITLE = '^(\\w+\\s?)+:';
const HOSTILE_GLOB = '**/*a*a*a*a*b';

/** A backtracking title pattern and glob: JavaScript's engine on short crafted inputs, HITL on the longest ones. */
function hostileRows(quick: boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  const titleChars = quick ? 18 : 21;
  const jsTitle = time(() => new RegExp(HOSTILE_TITLE, 'u').test(`${'a'.repeat(titleChars)}!`), { budgetMs: 0, minRuns: 1, warmup: 0 });
  rows.push({ area: 'hostile', metric: `title /${HOSTILE_TITLE}/, ${titleChars + 1}-char title, JS RegExp (before)`, value: round(jsTitle.p50Ms), unit: 'ms', how: 'the engine title triggers used before; time about doubles per character (28 characters: 24 s, 40: never ends)' });
  const file = { ...benchConfigFile(10), triggers: { ...benchConfigFile(10).triggers, conventional: { title: HOSTILE_TITLE } } };
  file.checkpoints = { ...file.checkpoints, conventional_review: { trigger: 'conventional', approver: 'technical_lead' } };
  const config = resolved(file);
  const pr = { ...benchPullRequest(10), title: `${'word '.repeat(51)}!` };
  const re2Title = time(() => classify(pr, config), { budgetMs: quick ? 100 : 300 });
  rows.push({ area: 'hostile', metric: `title /${HOSTILE_TITLE}/, 256-char title, classify (after)`, value: round(re2Title.p99Ms), unit: 'ms p99', how: `${re2Title.runs} classifications of a 10-file PR whose title is cut at 256 characters, crafted for the pattern; titles run on RE2 (linear time)` });
  const pathChars = quick ? 80 : 120;
  const jsGlob = time(() => picomatch(HOSTILE_GLOB, { dot: true })(`src/${'a'.repeat(pathChars)}`), { budgetMs: 0, minRuns: 1, warmup: 0 });
  rows.push({ area: 'hostile', metric: `glob ${HOSTILE_GLOB}, ${pathChars + 4}-char path, picomatch regex (before)`, value: round(jsGlob.p50Ms), unit: 'ms', how: 'picomatch\'s regex on V8; the time grows with about the fifth power of the path length (304 characters: 400 s)' });
  const matches = compileGlobs([HOSTILE_GLOB]);
  // Ends in "b", so RE2 has to run through the whole path (its literal prefilter cannot answer).
  const long = `src/${'a'.repeat(4_000)}b`;
  const safeGlob = time(() => matches(long), { budgetMs: quick ? 100 : 300 });
  rows.push({ area: 'hostile', metric: `glob ${HOSTILE_GLOB}, 4,005-char path (after)`, value: round(safeGlob.p99Ms), unit: 'ms p99', how: `${safeGlob.runs} matches; a glob with several wildcards in a segment runs on RE2 (linear time)` });
  return rows;
}

export async function classifyBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const budgetMs = quick ? 150 : 1_000;
  for (const rules of [10, 500]) {
    const file = benchConfigFile(rules);
    resolved(file); // as the loader's schema check does: compiles every glob
    const resolve = time(() => resolved(file), { budgetMs: budgetMs / 2, minRuns: 10 });
    rows.push({
      area: 'config', metric: `resolveConfig, ${rules} path rules`, value: round(resolve.p50Ms), unit: 'ms p50', how: `${resolve.runs} runs after the loader's validation compiled the globs (cached by text); indexes every glob`,
      ...(rules === 500 ? { figure: 'resolve_config_ms_500_rules' } : {}),
    });
    let salt = 0;
    const cold = time(() => resolved(benchConfigFile(rules, `-${++salt}`)), { budgetMs: budgetMs / 2, minRuns: 10 });
    rows.push({ area: 'config', metric: `resolveConfig, ${rules} path rules never seen`, value: round(cold.p50Ms), unit: 'ms p50', how: `${cold.runs} runs, every glob new to the process: compiles and indexes them (a config's first load)` });
    const config = resolved(file);
    for (const files of [10, 300, 3000]) {
      const pr = benchPullRequest(files);
      const timing = time(() => classify(pr, config), { budgetMs });
      const how = `${timing.runs} runs, ${pr.files.length} files × ${rules} rules, config resolved once`;
      rows.push({ area: 'classify', metric: `${files} files / ${rules} rules: throughput`, value: round(1_000 / timing.meanMs), unit: 'PR/s', how });
      rows.push({
        area: 'classify', metric: `${files} files / ${rules} rules: p50`, value: round(timing.p50Ms), unit: 'ms', how,
        ...(files === 3000 && rules === 500 ? { figure: 'classify_p50_ms_3000x500' } : {}),
      });
      rows.push({ area: 'classify', metric: `${files} files / ${rules} rules: p99`, value: round(timing.p99Ms), unit: 'ms', how });
    }
    const perCall = time(() => classify(benchPullRequest(10), resolved(file)), { budgetMs: budgetMs / 2, minRuns: 10 });
    rows.push({ area: 'classify', metric: `10 files / ${rules} rules, resolving per PR`, value: round(perCall.p50Ms), unit: 'ms p50', how: 'for contrast: what compiling globs per call would cost' });
  }
  const pr = benchPullRequest(3000);
  const naive = time(naiveMatches(pr, benchConfigFile(500)), { budgetMs, minRuns: 5 });
  rows.push({ area: 'classify', metric: '3000 files / 500 rules: every glob against every path (before), p50', value: round(naive.p50Ms), unit: 'ms', how: `${naive.runs} runs of the matching alone, each trigger's picomatch globs tested against each path, as classify did before the glob index` });
  rows.push(...hostileRows(quick));
  return rows;
}
