/** Builders for pure-engine tests: a pull request's facts and the people acting on it. */
import { loadConfig } from '../../src/config/load.js';
import type { Permission, ResolvedConfig } from '../../src/config/types.js';
import type { Actor, ChangedFile, PrFacts } from '../../src/policy/types.js';

export const T0 = Date.parse('2026-11-24T09:00:00Z');

export function file(path: string, lines = 10): ChangedFile {
  return { path, additions: lines, deletions: 0 };
}

export function prFacts(overrides: Partial<PrFacts> = {}): PrFacts {
  const files = overrides.files ?? [file('src/app.ts', 20)];
  return {
    number: 7,
    title: 'Improve things',
    body: '',
    author: 'author',
    authorIsBot: false,
    baseRef: 'main',
    headSha: 'head1',
    draft: false,
    labels: [],
    changedFiles: files.length,
    additions: files.reduce((s, f) => s + f.additions, 0),
    deletions: files.reduce((s, f) => s + f.deletions, 0),
    isRevert: false,
    startedAt: T0,
    ...overrides,
    files,
  };
}

/** The resolved config of a repository's `.hitl.yml` (the built-in policy when absent); invalid YAML fails the test. */
export function configOf(repository?: string): ResolvedConfig {
  const result = loadConfig({ repository });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.config;
}

export function actor(login: string, permission: Permission | 'none' = 'write', teams: string[] = []): Actor {
  return { login, isBot: /\[bot\]$/.test(login), permission, teams };
}
