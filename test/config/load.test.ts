import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { formatIssue, loadConfig, parseConfigFile } from '../../src/config/load.js';
import type { ConfigIssue } from '../../src/config/types.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const SEED = fixture('seed.yml');
const EXAMPLE = fixture('product-example.yml');

function errorsOf(repository: string): ConfigIssue[] {
  const result = loadConfig({ repository });
  if (result.ok) throw new Error(`expected errors for:\n${repository}`);
  return result.errors;
}

/** The one error a bad file gives, as `.hitl.yml:line:col: error: message`. */
function onlyError(repository: string): string {
  const errors = errorsOf(repository);
  expect(errors).toHaveLength(1);
  return formatIssue(errors[0]!);
}

describe('the seed and product.md examples', () => {
  it('accepts the seed\'s three YAML blocks exactly as written', () => {
    const result = loadConfig({ repository: SEED });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.checkpoints.map((c) => c.name)).toEqual(
      expect.arrayContaining(['architecture_review', 'breaking_change', 'security_review']),
    );
    expect(result.config.escalation.map((l) => l.timeoutMs)).toEqual([5 * 60_000, 30 * 60_000, 2 * 3_600_000, 4 * 3_600_000]);
  });

  it('warns once per seed name the file uses without defining it, at the line that uses it', () => {
    const result = loadConfig({ repository: SEED });
    const warnings = result.warnings.map((w) => formatIssue(w));
    expect(warnings).toEqual([
      '.hitl.yml:3:5: warning: trigger "major_structural_change" is not defined in this file; using the built-in default',
      '.hitl.yml:5:5: warning: role "senior_developer" is not defined in this file; using the built-in default',
      '.hitl.yml:14:5: warning: trigger "api_modification" is not defined in this file; using the built-in default',
      '.hitl.yml:16:5: warning: role "technical_lead" is not defined in this file; using the built-in default',
      '.hitl.yml:25:5: warning: trigger "security_related_change" is not defined in this file; using the built-in default',
      '.hitl.yml:27:5: warning: role "security_team" is not defined in this file; using the built-in default',
    ]);
  });

  it('accepts product.md §2\'s example, alone and together with the seed blocks, warning only about the built-in trigger entries it drops', () => {
    const droppedOnly = (result: ReturnType<typeof loadConfig>) => result.warnings.every((w) => /^triggers\.\w+\.(paths|labels) replaces the built-in list and drops/.test(w.message));
    const alone = loadConfig({ repository: EXAMPLE });
    expect(alone.ok).toBe(true);
    expect(droppedOnly(alone)).toBe(true);
    const together = loadConfig({ repository: `${SEED}\n${EXAMPLE}` });
    expect(together.ok).toBe(true);
    expect(droppedOnly(together)).toBe(true);
    if (!together.ok) return;
    expect(together.config.roles.security_team).toEqual([{ kind: 'team', org: 'acme', slug: 'security' }]);
    expect(together.config.triggers.api_modification?.matchesPath('proto/v1/user.proto')).toBe(true);
    expect(together.config.bypass.windows[0]?.schedule).toEqual({ kind: 'cron', cron: '0 2 * * 6', durationMs: 4 * 3_600_000, timezone: 'Europe/Berlin' });
    expect(together.config.notify).toEqual({ channels: ['slack', 'webhook'], fromLevel: 3 });
  });

  it('warns, at the list, when a trigger\'s paths or labels drop built-in entries (a new user\'s security paths lost .github/workflows/**)', () => {
    const result = loadConfig({ repository: 'triggers:\n  security_related_change:\n    paths: ["src/auth/**", "**/auth/**", "**/go.sum"]\n    labels: [Security]\n' });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => formatIssue(w))).toEqual([
      expect.stringMatching(/^\.hitl\.yml:3:5: warning: triggers\.security_related_change\.paths replaces the built-in list and drops 48 of its entries: "\*\*\/authn\/\*\*", .*"\.github\/workflows\/\*\*", .*; copy in the ones to keep, or add paths without dropping any through a trigger of your own listed in the checkpoint's trigger$/),
    ]);
    expect(result.warnings[0]!.message).not.toContain('"**/auth/**"');
    expect(result.warnings[0]!.message).not.toContain('"**/go.sum"');
    // Lists that only narrow what passes (low-risk paths) or new triggers drop nothing that guards.
    expect(loadConfig({ repository: 'classification:\n  low_risk_paths: ["docs/**"]\ntriggers:\n  payments: { paths: ["src/pay/**"] }\n' }).warnings).toEqual([]);
  });

  it('treats an empty file or a file of comments as "no overrides"', () => {
    expect(loadConfig({ repository: '' }).ok).toBe(true);
    expect(loadConfig({ repository: '# HITL: defaults are fine\n' }).ok).toBe(true);
  });
});

describe('each kind of bad input has its own message and position', () => {
  const WINDOW = 'bypass:\n  maintenance_windows:\n    - { name: w, ';
  const BOTH_FORMS = 'error: bypass.maintenance_windows.0: a maintenance window has either cron + duration or start + end';
  it.each([
    ['YAML syntax error', 'checkpoints:\n  a: [1, 2\n', /^\.hitl\.yml:3:1: error: YAML: Flow sequence .* end with a \]$/],
    ['tabs used as indentation', 'checkpoints:\n\tsecurity_review: {}\n', '.hitl.yml:2:1: error: YAML: Tabs are not allowed as indentation'],
    ['duplicate key, naming the key', 'roles:\n  qa: [alice]\n  qa: [bob]\n', '.hitl.yml:3:3: error: YAML: duplicate key "qa"'],
    ['several YAML documents in one file', 'roles: {}\n---\nroles: {}\n', /^\.hitl\.yml:2:1: error: YAML: .*multiple documents/],
    ['a misspelt key, pointed at the key itself', 'checkpoints:\n  security_review:\n    aprover: security_team\n',
      '.hitl.yml:3:5: error: checkpoints.security_review: unknown key "aprover" (did you mean "approver"?)'],
    ['a misspelt top-level key', '\ncheckpoint:\n  security_review: {}\n', '.hitl.yml:2:1: error: unknown key "checkpoint" (did you mean "checkpoints"?)'],
    ['a misspelt key in a list item', `${WINDOW}cron: "0 2 * * 6", duration: 1h, timezon: UTC, auto_approve: [peer_review] }\n`,
      '.hitl.yml:3:51: error: bypass.maintenance_windows.0: unknown key "timezon" (did you mean "timezone"?)'],
    ['a misspelt trigger key', 'triggers:\n  security_related_change:\n    path: ["src/auth/**"]\n',
      '.hitl.yml:3:5: error: triggers.security_related_change: unknown key "path" (did you mean "paths"?)'],
    ['wrong type: a word for a number', 'classification:\n  peer_review_max_lines: lots\n',
      '.hitl.yml:2:3: error: classification.peer_review_max_lines: expected a number, got a string'],
    ['wrong type: an empty checkpoint', 'checkpoints:\n  security_review:\n', '.hitl.yml:2:3: error: checkpoints.security_review: expected a mapping, got nothing'],
    ['wrong type: a list for the file', '- a\n- b\n', '.hitl.yml:1:1: error: expected a mapping, got a list'],
    ['a bad name as a key', 'roles:\n  1st-line: [alice]\n',
      '.hitl.yml:2:3: error: roles.1st-line: "1st-line" is not a valid name: a name starts with a letter and has only letters, digits, "_" and "-" (at most 40)'],
    ['bad duration', 'checkpoints:\n  security_review:\n    timeout: 3_fortnights\n',
      '.hitl.yml:3:5: error: checkpoints.security_review.timeout: "3_fortnights" is not a duration: write e.g. 90s, 30m, 2h, 1d or 24_hours'],
    ['bad glob', 'triggers:\n  docs_change:\n    paths: ["docs/**", "src/[abc"]\n',
      /^\.hitl\.yml:3:24: error: triggers\.docs_change\.paths\.1: bad glob "src\/\[abc": Missing closing: "\]"/],
    ['bad regular expression', 'triggers:\n  api_modification:\n    title: "feat(("\n',
      /^\.hitl\.yml:3:5: error: triggers\.api_modification\.title: bad regular expression: .*Unterminated group$/],
    ['bad cron', `${WINDOW}cron: "99 * * * *", duration: 1h, auto_approve: [peer_review] }\n`,
      /^\.hitl\.yml:3:18: error: bypass\.maintenance_windows\.0\.cron: bad cron "99 \* \* \* \*": .*0-59/],
    ['bad time zone', `${WINDOW}cron: "0 2 * * 6", duration: 1h, timezone: Mars/Olympus, auto_approve: [peer_review] }\n`,
      '.hitl.yml:3:51: error: bypass.maintenance_windows.0.timezone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin)'],
    ['undefined role name', 'checkpoints:\n  security_review:\n    approver: wizard\n', '.hitl.yml:3:5: error: role "wizard" is not defined under roles: (defined: senior_developer, technical_lead, performance_engineer, security_team, management, on_call_engineer)'],
    ['a misspelt role name, with the closest defined one', 'checkpoints:\n  security_review:\n    approver: secuirty_team\n',
      '.hitl.yml:3:5: error: role "secuirty_team" is not defined under roles: (did you mean "security_team"? defined: senior_developer, technical_lead, performance_engineer, security_team, management, on_call_engineer)'],
    ['undefined trigger name in a list, pointed at its item', 'checkpoints:\n  security_review:\n    trigger: [security_related_change, moon_phase]\n',
      '.hitl.yml:3:40: error: trigger "moon_phase" is not defined under triggers: (defined: major_structural_change, api_modification, security_related_change, performance_critical, automated_rollback)'],
    ['a role name inherited from JavaScript objects', 'checkpoints:\n  security_review:\n    approver: toString\n',
      '.hitl.yml:3:5: error: role "toString" is not defined under roles: (defined: senior_developer, technical_lead, performance_engineer, security_team, management, on_call_engineer)'],
    ['a trigger name inherited from JavaScript objects', 'checkpoints:\n  security_review:\n    trigger: constructor\n',
      '.hitl.yml:3:5: error: trigger "constructor" is not defined under triggers: (defined: major_structural_change, api_modification, security_related_change, performance_critical, automated_rollback)'],
    ['a name both protected and a test environment', 'bypass:\n  test_environments: { environments: ["prod*"] }\n  protected_environments: [production]\n',
      '.hitl.yml:3:3: error: "production" is both a protected environment and a test environment'],
    ['a maintenance window with both forms', `${WINDOW}cron: "0 2 * * 6", duration: 1h, start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z", auto_approve: [peer_review] }\n`,
      `.hitl.yml:3:7: ${BOTH_FORMS}`],
    ['a maintenance window with neither form', `${WINDOW}auto_approve: [peer_review] }\n`, `.hitl.yml:3:7: ${BOTH_FORMS}`],
    ['a half-written window form', `${WINDOW}cron: "0 2 * * 6", auto_approve: [peer_review] }\n`,
      '.hitl.yml:3:7: error: bypass.maintenance_windows.0: a cron maintenance window needs both cron and duration'],
    ['a window auto-approving something that does not exist', `${WINDOW}start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z", auto_approve: [peer_reviw] }\n`,
      '.hitl.yml:3:93: error: "peer_reviw" is neither a checkpoint nor an approval workflow (did you mean "peer_review"?)'],
    ['a notification address in a repository file (never read)', 'notify:\n  channels: [slack]\n  slack_webhook_url: https://hooks.slack.com/services/T/B/X\n',
      '.hitl.yml:3:3: error: notify: unknown key "slack_webhook_url"'],
    ['a URL under notify', 'notify:\n  url: https://example.com/hook\n', '.hitl.yml:2:3: error: notify: unknown key "url"'],
  ] as Array<[string, string, string | RegExp]>)('%s', (_, text, expected) => {
    const message = onlyError(text);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  it('a new checkpoint without a trigger', () => {
    const errors = errorsOf('checkpoints:\n  data_migration:\n    approver: technical_lead\n');
    expect(errors.map((e) => formatIssue(e))).toEqual(['.hitl.yml:2:3: error: checkpoint "data_migration" needs a trigger']);
  });

  it('reports every error of a file, not only the first', () => {
    const errors = errorsOf('checkpoints:\n  security_review:\n    timeout: soon\n    aprover: x\nclassification:\n  peer_review_max_lines: -3\n');
    expect(errors.map((e) => e.line)).toEqual([3, 4, 6]);
  });

  it('refuses a file larger than the limit before parsing it', () => {
    expect(onlyError(`# ${'x'.repeat(300 * 1024)}\n`)).toBe('.hitl.yml:1:1: error: the file is larger than 256 KiB');
  });

  it('refuses alias bombs instead of expanding them', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const errors = errorsOf(bomb);
    expect(errors[0]!.message).toMatch(/^YAML: .*alias/i);
  });

  it('places errors of the organisation file in that file', () => {
    const result = loadConfig({ organization: 'roles:\n  qa: [alice]\n  typo_key:\n    - "not a member!"\n', repository: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatIssue(result.errors[0]!)).toMatch(/^<org>\/\.github\/\.hitl\.yml:4:7: error: roles\.typo_key\.0: a role member is/);
  });
});

describe('parseConfigFile', () => {
  it('locates a key path in the document', () => {
    const parsed = parseConfigFile('roles:\n  qa:\n    - alice\n    - bob\n');
    expect(parsed.locate(['roles', 'qa', 1])).toEqual({ line: 4, column: 7 });
    expect(parsed.locate(['roles', 'nobody'])).toEqual({ line: 2, column: 3 });
  });
});
