/**
 * Classification speed: PRs of 10, 300 and 3,000 files against configs of 10 and 500 path
 * rules. Configs are resolved (globs compiled) once, outside the timed loop, as the app does
 * per config version; the last rows show what resolving per pull request would cost instead.
 */
import { resolveConfig } from '../config/resolve.js';
import type { HitlFile } from '../config/schema.js';
import type { ResolvedConfig } from '../config/types.js';
import { classify } from '../policy/classify.js';
import type { ChangedFile, PrFacts } from '../policy/types.js';
import { round, time } from './stats.js';
import type { BenchRow } from './types.js';

const CHECKPOINTS = 10;

/** `rules` path globs spread over ten custom triggers, each behind its own checkpoint. */
export function benchConfigFile(rules: number): HitlFile {
  const triggers: NonNullable<HitlFile['triggers']> = {};
  const checkpoints: NonNullable<HitlFile['checkpoints']> = {};
  for (let t = 0; t < CHECKPOINTS; t++) {
    const paths: string[] = [];
    for (let i = t; i < rules; i += CHECKPOINTS) {
      paths.push(i % 3 === 0 ? `services/svc${i}/**/*.{ts,go}` : i % 3 === 1 ? `pkg/mod${i}/**` : `**/generated/gen${i}/*.proto`);
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

export async function classifyBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const rules of [10, 500]) {
    const file = benchConfigFile(rules);
    const resolve = time(() => resolved(file), { budgetMs: 500, minRuns: 10 });
    rows.push({ area: 'config', metric: `resolveConfig, ${rules} path rules`, value: round(resolve.p50Ms), unit: 'ms p50', how: `${resolve.runs} runs; compiles every glob once` });
    const config = resolved(file);
    for (const files of [10, 300, 3000]) {
      const pr = benchPullRequest(files);
      const timing = time(() => classify(pr, config));
      const how = `${timing.runs} runs, ${pr.files.length} files × ${rules} rules, config resolved once`;
      rows.push({ area: 'classify', metric: `${files} files / ${rules} rules: throughput`, value: round(1_000 / timing.meanMs), unit: 'PR/s', how });
      rows.push({ area: 'classify', metric: `${files} files / ${rules} rules: p50`, value: round(timing.p50Ms), unit: 'ms', how });
      rows.push({ area: 'classify', metric: `${files} files / ${rules} rules: p99`, value: round(timing.p99Ms), unit: 'ms', how });
    }
    const perCall = time(() => classify(benchPullRequest(10), resolved(file)), { budgetMs: 500, minRuns: 10 });
    rows.push({ area: 'classify', metric: `10 files / ${rules} rules, resolving per PR`, value: round(perCall.p50Ms), unit: 'ms p50', how: 'for contrast: what compiling globs per call would cost' });
  }
  return rows;
}
