import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { formatConfigDuration, formatDuration, parseDuration } from '../../src/config/duration.js';
import { loadConfig } from '../../src/config/load.js';
import { mergeLayers, resolveConfig } from '../../src/config/resolve.js';
import { hitlJsonSchema } from '../../src/config/schema.js';
import type { ResolvedConfig } from '../../src/config/types.js';

const HOUR = 3_600_000;

function resolved(input: { repository?: string; organization?: string }): ResolvedConfig {
  const result = loadConfig(input);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.config;
}

describe('durations', () => {
  it.each([
    ['24_hours', 24 * HOUR],
    ['5_minutes', 5 * 60_000],
    ['1_hour', HOUR],
    ['2h', 2 * HOUR],
    ['90s', 90_000],
    ['30m', 30 * 60_000],
    ['1d', 24 * HOUR],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['', 'soon', '24', 'h2', '2 fortnights', '-5m', '1.5h', '2h30m'])('"%s" is refused with an example of what works', (text) => {
    const parsed = parseDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain('24_hours');
  });

  it('renders the two largest units', () => {
    expect(formatDuration(90_000)).toBe('1m 30s');
    expect(formatDuration(26 * HOUR + 5 * 60_000)).toBe('1d 2h');
    expect(formatDuration(0)).toBe('0s');
  });

  it('renders a config duration in one exact unit that .hitl.yml accepts', () => {
    expect([24 * HOUR, 36 * HOUR, 65 * 60_000, 90_000, 7 * 24 * HOUR, 0].map(formatConfigDuration)).toEqual(['1d', '36h', '65m', '90s', '1w', '0s']);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 8 }), (seconds) => {
        expect(parseDuration(formatConfigDuration(seconds * 1000))).toEqual({ ok: true, ms: seconds * 1000 });
      }),
    );
  });
});

describe('built-in defaults are the seed\'s policy', () => {
  const config = resolved({});

  it('has the five seed checkpoints with their approvers, criteria and timeouts', () => {
    const summary = config.checkpoints.map((c) => [c.name, c.approvers.roles, c.criteria.length, c.timeoutMs / HOUR]);
    expect(summary).toEqual([
      ['architecture_review', ['senior_developer'], 4, 24],
      ['breaking_change', ['technical_lead'], 4, 48],
      ['security_review', ['security_team'], 4, 24],
      ['performance_impact', ['performance_engineer', 'technical_lead'], 4, 24],
      ['rollback_decision', ['technical_lead', 'on_call_engineer'], 4, 1],
    ]);
    expect(config.checkpoints.find((c) => c.name === 'breaking_change')?.criteria).toEqual([
      'impact_documentation', 'migration_strategy', 'rollback_plan', 'stakeholder_communication',
    ]);
  });

  it('has the seed\'s workflow SLAs (24 h peer, 48 h expert) and four escalation levels', () => {
    expect(config.workflows.peer_review).toMatchObject({ timeoutMs: 24 * HOUR, escalateAfterMs: 24 * HOUR, dismissStaleApprovals: false, approvals: 1 });
    expect(config.workflows.expert_review).toMatchObject({ timeoutMs: 48 * HOUR, dismissStaleApprovals: 'changed_paths', approvers: { roles: ['senior_developer'] } });
    expect(config.escalation.map((l) => [l.level, l.timeoutMs / 60_000, l.notifyRoles])).toEqual([
      [1, 5, []], [2, 30, []], [3, 120, ['technical_lead']], [4, 240, ['management']],
    ]);
  });

  it('maps the seed\'s roles to permission levels as product.md says', () => {
    const level = (role: string) => config.roles[role];
    expect(level('senior_developer')).toEqual([{ kind: 'permission', level: 'maintain' }]);
    expect(level('security_team')).toEqual([{ kind: 'permission', level: 'admin' }]);
    expect(level('on_call_engineer')).toEqual([{ kind: 'permission', level: 'maintain' }]);
  });

  it('lets the emergency bypass be used by on-call engineers and technical leads, never in production as a test environment', () => {
    expect(config.bypass.emergency).toMatchObject({ label: 'emergency', allowedRoles: ['on_call_engineer', 'technical_lead'], allowAuthor: false, postReview: true });
    expect(config.bypass.protectedEnvironments).toEqual(['production']);
  });
});

describe('layers merge key by key', () => {
  it('a repository file that sets one key keeps the rest of that block', () => {
    const config = resolved({ repository: 'approval_workflows:\n  peer_review:\n    escalate_after: 2h\n' });
    expect(config.workflows.peer_review).toMatchObject({ escalateAfterMs: 2 * HOUR, timeoutMs: 24 * HOUR, approvals: 1 });
    expect(config.checkpoints).toHaveLength(5);
  });

  it('the repository overrides the organisation, which overrides the built-in defaults', () => {
    const organization = 'checkpoints:\n  security_review:\n    timeout: 8h\n    approvals: 2\nroles:\n  security_team: ["@acme/security"]\n';
    const repository = 'checkpoints:\n  security_review:\n    timeout: 4h\n';
    const security = resolved({ organization, repository }).checkpoints.find((c) => c.name === 'security_review')!;
    expect(security).toMatchObject({ timeoutMs: 4 * HOUR, approvals: 2, approvers: { roles: ['security_team'], members: [{ kind: 'team', org: 'acme', slug: 'security' }] } });
    expect(security.criteria).toHaveLength(4);
  });

  it('lists replace lists instead of concatenating', () => {
    const config = resolved({ repository: 'classification:\n  low_risk_paths: ["notes/**"]\n' });
    expect(config.classification.lowRiskPaths).toEqual(['notes/**']);
    expect(config.classification.isLowRisk('README.md')).toBe(false);
    expect(config.classification.peerReviewMaxLines).toBe(200);
  });

  it('mergeLayers leaves its inputs untouched', () => {
    const base = { a: { b: 1, c: 2 } };
    const merged = mergeLayers<Record<string, unknown>>(base, { a: { b: 3 } });
    expect(merged).toEqual({ a: { b: 3, c: 2 } });
    expect(base).toEqual({ a: { b: 1, c: 2 } });
  });

  it('a name defined by the organisation is not warned about in the repository', () => {
    const result = loadConfig({ organization: 'roles:\n  security_team: ["@acme/sec"]\n', repository: 'checkpoints:\n  security_review:\n    approver: security_team\n' });
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });

  it('a new checkpoint with its own trigger and role', () => {
    const config = resolved({
      repository: [
        'roles:', '  dba: ["@acme/dba", "carol"]',
        'triggers:', '  schema_change: { paths: ["db/migrations/**"] }',
        'checkpoints:', '  data_migration:', '    trigger: schema_change', '    approver: dba', '    escalate_after: 0s',
      ].join('\n'),
    });
    const checkpoint = config.checkpoints.find((c) => c.name === 'data_migration')!;
    expect(checkpoint).toMatchObject({ required: true, approvals: 1, escalateAfterMs: 0, timeoutMs: 24 * HOUR, dismissStaleApprovals: 'changed_paths' });
    expect(checkpoint.approvers.members).toEqual([{ kind: 'team', org: 'acme', slug: 'dba' }, { kind: 'user', login: 'carol' }]);
  });

  it('compiles each glob list once into one matcher', () => {
    const config = resolved({});
    const matcher = config.triggers.security_related_change!.matchesPath;
    expect(matcher('src/auth/login.ts')).toBe(true);
    expect(matcher('.github/workflows/ci.yml')).toBe(true);
    expect(matcher('src/app.ts')).toBe(false);
    expect(config.triggers.security_related_change!.matchesPath).toBe(matcher);
  });

  it('resolveConfig reports an escalation-level gap', () => {
    const result = resolveConfig({ repository: { escalation_levels: { level_6: { timeout: '1h' } } } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toBe('escalation levels must be level_1 … level_5 without gaps');
  });
});

describe('JSON Schema', () => {
  const schema = hitlJsonSchema() as { type: string; properties: Record<string, unknown>; additionalProperties: boolean };
  const example = readFileSync(new URL('./fixtures/product-example.yml', import.meta.url), 'utf8');

  it('is an object schema with a property for every top-level key and no others allowed', () => {
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual([
      'approval_workflows', 'bypass', 'checkpoints', 'classification', 'deployments', 'escalation_levels', 'notify', 'roles', 'triggers',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });

  it('has a property for every top-level key of product.md\'s example and the seed', () => {
    const seed = readFileSync(new URL('./fixtures/seed.yml', import.meta.url), 'utf8');
    const topKeys = `${example}\n${seed}`.split('\n').flatMap((line) => /^([a-z_]+):/.exec(line)?.[1] ?? []);
    expect(topKeys.length).toBeGreaterThanOrEqual(8);
    for (const key of topKeys) expect(schema.properties).toHaveProperty(key);
  });

  it('describes nested keys, e.g. a checkpoint\'s timeout as a string', () => {
    const checkpoints = schema.properties.checkpoints as { additionalProperties: { properties: Record<string, { type?: string }> } };
    expect(checkpoints.additionalProperties.properties.timeout?.type).toBe('string');
  });
});
