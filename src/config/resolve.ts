/**
 * Merges built-in defaults ← org file ← repository file key by key, checks that every name a
 * file uses is defined, and compiles the result into a ResolvedConfig. Pure: no I/O.
 */
import { BUILT_IN } from './defaults.js';
import { parseDuration } from './duration.js';
import { compileGlob, compileGlobs, compileTitlePattern, indexGlobs, type TitlePattern } from './patterns.js';
import type { HitlFile } from './schema.js';
import { closest, didYouMean } from './suggest.js';
import type {
  Approvers,
  CheckpointPolicy,
  ConfigIssue,
  ConfigSource,
  DismissStale,
  MaintenanceWindowPolicy,
  Permission,
  ResolvedConfig,
  RoleMember,
  TriggerPolicy,
  WindowSchedule,
  WorkflowReviewPolicy,
} from './types.js';

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects merge recursively; arrays and scalars of the later layer replace the earlier. */
export function mergeLayers<T>(...layers: Array<T | undefined>): T {
  let merged: unknown = {};
  for (const layer of layers) if (layer !== undefined) merged = mergeTwo(merged, layer);
  return merged as T;
}

function mergeTwo(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeTwo(base[key], value);
  return out;
}

/** Own keys only: a name such as "toString" or "constructor" is not defined by Object.prototype. */
const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const ms = (text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const parsed = parseDuration(text);
  return parsed.ok ? parsed.ms : fallback;
};

export function parseRoleMember(text: string): RoleMember {
  if (text.startsWith('permission:')) return { kind: 'permission', level: text.slice('permission:'.length) as Permission };
  const bare = text.replace(/^@/, '');
  const slash = bare.indexOf('/');
  if (slash > 0) return { kind: 'team', org: bare.slice(0, slash).toLowerCase(), slug: bare.slice(slash + 1).toLowerCase() };
  return { kind: 'user', login: bare.toLowerCase() };
}

export interface ResolveInput {
  repository?: HitlFile;
  organization?: HitlFile;
}

export type ResolveResult =
  | { ok: true; config: ResolvedConfig; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

export function resolveConfig(input: ResolveInput): ResolveResult {
  const merged = mergeLayers<HitlFile>(BUILT_IN, input.organization, input.repository);
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const sourceOf = (path: Array<string | number>): ConfigSource =>
    hasPath(input.repository, path) ? 'repository' : hasPath(input.organization, path) ? 'organization' : 'built-in';
  const error = (path: Array<string | number>, message: string) =>
    errors.push({ severity: 'error', message, path, source: sourceOf(path) });

  warnings.push(...droppedBuiltIns(input));
  const userDefines = (section: 'roles' | 'triggers', name: string) =>
    hasPath(input.repository, [section, name]) || hasPath(input.organization, [section, name]);
  const warned = new Set<string>();
  const checkName = (section: 'roles' | 'triggers', name: string, path: Array<string | number>) => {
    if (own<unknown>(merged[section], name) === undefined) {
      const defined = Object.keys(merged[section] ?? {});
      const near = closest(name, defined);
      const hint = `${near === undefined ? '' : `did you mean "${near}"? `}defined: ${defined.join(', ') || 'none'}`;
      error(path, `${section === 'roles' ? 'role' : 'trigger'} "${name}" is not defined under ${section}: (${hint})`);
    } else if (!userDefines(section, name) && sourceOf(path) !== 'built-in' && !warned.has(`${section}.${name}`)) {
      warned.add(`${section}.${name}`);
      warnings.push({
        severity: 'warning',
        message: `${section === 'roles' ? 'role' : 'trigger'} "${name}" is not defined in this file; using the built-in default`,
        path,
        source: sourceOf(path),
      });
    }
  };
  const approversOf = (roles: string[], path: Array<string | number>): Approvers => {
    roles.forEach((role, i) => checkName('roles', role, roles.length > 1 ? [...path, i] : path));
    return { roles, members: roles.flatMap((role) => asList(own(merged.roles, role)).map(parseRoleMember)) };
  };

  /** Globs that cannot be compiled are errors here too: a caller may resolve a file that skipped the schema. */
  const globsAt = (globs: string[], path: Array<string | number>): string[] =>
    globs.filter((glob, i) => {
      const compiled = compileGlob(glob);
      if (!compiled.ok) error([...path, i], compiled.error);
      return compiled.ok;
    });
  const titleAt = (source: string | undefined, path: Array<string | number>): TitlePattern | undefined => {
    if (source === undefined) return undefined;
    const compiled = compileTitlePattern(source);
    if (compiled.ok) return compiled.value;
    error(path, compiled.error);
    return undefined;
  };

  const triggerEntries = Object.entries(merged.triggers ?? {});
  // One index over every trigger's globs: a path is tested once, not once per trigger.
  const indexed = indexGlobs(
    triggerEntries.flatMap(([name, t]) => globsAt(t.paths ?? [], ['triggers', name, 'paths']).map((glob) => ({ glob, label: name }))),
  );
  const ignoredBy = triggerEntries.flatMap(([name, t]) =>
    t.paths_ignore?.length ? [{ name, ignored: compileGlobs(globsAt(t.paths_ignore, ['triggers', name, 'paths_ignore'])) }] : [],
  );
  // A trigger's paths_ignore takes a path back out of what its paths matched (indexed returns a fresh set per path).
  const triggersMatching = (path: string): Set<string> => {
    const names = indexed(path);
    for (const { name, ignored } of ignoredBy) if (names.has(name) && ignored(path)) names.delete(name);
    return names;
  };
  const triggers: Record<string, TriggerPolicy> = {};
  for (const [name, t] of triggerEntries) {
    triggers[name] = {
      name,
      paths: t.paths ?? [],
      pathsIgnore: t.paths_ignore ?? [],
      matchesPath: (path) => triggersMatching(path).has(name),
      labels: (t.labels ?? []).map((l) => l.toLowerCase()),
      title: titleAt(t.title, ['triggers', name, 'title']),
      minFiles: t.min_files,
      minLines: t.min_lines,
      revert: t.revert ?? false,
    };
  }

  const checkpoints: CheckpointPolicy[] = [];
  for (const [name, c] of Object.entries(merged.checkpoints ?? {})) {
    const path = ['checkpoints', name];
    const triggerNames = asList(c.trigger);
    if (triggerNames.length === 0) error(path, `checkpoint "${name}" needs a trigger`);
    triggerNames.forEach((t, i) => checkName('triggers', t, [...path, 'trigger', ...(Array.isArray(c.trigger) ? [i] : [])]));
    const approverNames = asList(c.approver);
    if (approverNames.length === 0) error(path, `checkpoint "${name}" needs an approver`);
    const timeoutMs = ms(c.timeout, 24 * 3_600_000);
    checkpoints.push({
      name,
      triggers: triggerNames,
      required: c.required ?? true,
      approvers: approversOf(approverNames, [...path, 'approver']),
      approvals: c.approvals ?? 1,
      criteria: c.criteria ?? [],
      timeoutMs,
      escalateAfterMs: ms(c.escalate_after, timeoutMs),
      dismissStaleApprovals: c.dismiss_stale_approvals ?? 'changed_paths',
      allowBypass: c.allow_bypass ?? ['emergency', 'maintenance_window', 'test_environment'],
      description: c.description,
    });
  }

  const workflow = (name: 'peer_review' | 'expert_review', fallbackTimeout: number, staleDefault: DismissStale): WorkflowReviewPolicy => {
    const w = merged.approval_workflows?.[name] ?? {};
    const roles = asList(w.approver);
    const timeoutMs = ms(w.timeout, fallbackTimeout);
    return {
      name,
      approvers: roles.length > 0
        ? approversOf(roles, ['approval_workflows', name, 'approver'])
        : { roles: [], members: [{ kind: 'permission', level: 'write' }] },
      approvals: w.approvals ?? 1,
      timeoutMs,
      escalateAfterMs: ms(w.escalate_after, timeoutMs),
      dismissStaleApprovals: w.dismiss_stale_approvals ?? staleDefault,
    };
  };
  const workflows = {
    peer_review: workflow('peer_review', 24 * 3_600_000, false),
    expert_review: workflow('expert_review', 48 * 3_600_000, 'changed_paths'),
  };

  const escalation = Object.entries(merged.escalation_levels ?? {})
    .map(([key, level]) => {
      const notifyRoles = asList(level.notify);
      notifyRoles.forEach((role) => checkName('roles', role, ['escalation_levels', key, 'notify']));
      return { level: Number(key.slice('level_'.length)), timeoutMs: ms(level.timeout, 3_600_000), notifyRoles, scope: level.scope, actions: level.actions ?? [] };
    })
    .sort((a, b) => a.level - b.level);
  escalation.forEach((level, i) => {
    if (level.level !== i + 1) error(['escalation_levels'], `escalation levels must be level_1 … level_${escalation.length} without gaps`);
  });

  const bypass = merged.bypass ?? {};
  const emergencyRoles = bypass.emergency?.allowed ?? [];
  const emergencyApprovers = approversOf(emergencyRoles, ['bypass', 'emergency', 'allowed']);
  const knownApprovable = new Set(['automatic', 'peer_review', 'expert_review', ...checkpoints.map((c) => c.name)]);
  const windows: MaintenanceWindowPolicy[] = (bypass.maintenance_windows ?? []).map((w, i) => {
    const path = ['bypass', 'maintenance_windows', i];
    w.auto_approve.forEach((name, j) => {
      if (!knownApprovable.has(name)) error([...path, 'auto_approve', j], `"${name}" is neither a checkpoint nor an approval workflow${didYouMean(name, knownApprovable)}`);
    });
    if (w.approver !== undefined) checkName('roles', w.approver, [...path, 'approver']);
    return {
      name: w.name,
      autoApprove: w.auto_approve,
      approverRole: w.approver,
      schedule: scheduleOf(w),
    };
  });
  const protectedEnvironments = bypass.protected_environments ?? [];
  const testBranches = bypass.test_environments?.branches ?? [];
  const testEnvironments = bypass.test_environments?.environments ?? [];
  const isTestEnvironment = compileGlobs(globsAt(testEnvironments, ['bypass', 'test_environments', 'environments']));
  const isTestBranch = compileGlobs(globsAt(testBranches, ['bypass', 'test_environments', 'branches']));
  for (const name of protectedEnvironments) {
    if (isTestEnvironment(name) || isTestBranch(name)) {
      error(['bypass', 'protected_environments'], `"${name}" is both a protected environment and a test environment`);
    }
  }

  const requireApproval = approversOf(merged.deployments?.require_approval ?? [], ['deployments', 'require_approval']);

  const lowRiskPaths = merged.classification?.low_risk_paths ?? [];
  const sizeExcludedPaths = merged.classification?.size_excluded_paths ?? [];
  const isSizeExcluded = compileGlobs(globsAt(sizeExcludedPaths, ['classification', 'size_excluded_paths']));
  const isLowRisk = compileGlobs(globsAt(lowRiskPaths, ['classification', 'low_risk_paths']));
  if (errors.length > 0) return { ok: false, errors, warnings };
  return {
    ok: true,
    warnings,
    config: {
      checkpoints,
      workflows,
      escalation,
      roles: Object.fromEntries(Object.entries(merged.roles ?? {}).map(([name, members]) => [name, asList(members).map(parseRoleMember)])),
      triggers,
      classification: {
        lowRiskPaths,
        isLowRisk,
        triggersMatching,
        peerReviewMaxLines: merged.classification?.peer_review_max_lines ?? 200,
        sizeExcludedPaths,
        isSizeExcluded,
      },
      notify: { channels: merged.notify?.channels ?? [], fromLevel: merged.notify?.from_level ?? 3 },
      bypass: {
        emergency: {
          label: (bypass.emergency?.label ?? 'emergency').toLowerCase(),
          allowedRoles: emergencyRoles,
          allowed: emergencyApprovers.members,
          allowAuthor: bypass.emergency?.allow_author ?? false,
          postReview: bypass.emergency?.post_review ?? true,
        },
        windows,
        isTestBranch: (branch) => !protectedEnvironments.includes(branch) && isTestBranch(branch),
        isTestEnvironment: (env) => !protectedEnvironments.includes(env) && isTestEnvironment(env),
        protectedEnvironments,
      },
      deployments: { requireApproval, freeze: (merged.deployments?.freeze ?? []).map((f) => ({ name: f.name, schedule: scheduleOf(f) })) },
    },
  };
}

/**
 * A trigger's `paths` or `labels` in a file replace the built-in list (lists are not merged), so
 * writing `paths: [src/auth/**]` for security_related_change silently stops watching workflows,
 * lockfiles and CODEOWNERS. Each built-in entry a file drops is named in a warning.
 */
function droppedBuiltIns(input: ResolveInput): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const layers: Array<[ConfigSource, HitlFile | undefined]> = [['organization', input.organization], ['repository', input.repository]];
  for (const [source, file] of layers) {
    for (const [name, trigger] of Object.entries(file?.triggers ?? {})) {
      const builtIn = own(BUILT_IN.triggers, name);
      for (const key of ['paths', 'labels'] as const) {
        const written = trigger[key];
        // Labels match case-insensitively, globs exactly.
        const same = (a: string, b: string) => (key === 'labels' ? a.toLowerCase() === b.toLowerCase() : a === b);
        const dropped = written === undefined ? [] : (builtIn?.[key] ?? []).filter((entry) => !written.some((w) => same(w, entry)));
        if (dropped.length === 0) continue;
        warnings.push({
          severity: 'warning',
          message:
            `triggers.${name}.${key} replaces the built-in list and drops ${dropped.length} of its entries: ${dropped.map((d) => `"${d}"`).join(', ')}; ` +
            `copy in the ones to keep, or add ${key} without dropping any through a trigger of your own listed in the checkpoint's trigger`,
          path: ['triggers', name, key],
          source,
        });
      }
    }
  }
  return warnings;
}

/** A validated schedule (schema.ts checked the form) as the window code reads it. */
function scheduleOf(w: { cron?: string; duration?: string; timezone?: string; start?: string; end?: string }): WindowSchedule {
  return w.cron !== undefined
    ? { kind: 'cron', cron: w.cron, durationMs: ms(w.duration, 0), timezone: w.timezone ?? 'UTC' }
    : { kind: 'fixed', startMs: Date.parse(w.start ?? ''), endMs: Date.parse(w.end ?? '') };
}

function hasPath(doc: unknown, path: Array<string | number>): boolean {
  let node: unknown = doc;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return true;
}
