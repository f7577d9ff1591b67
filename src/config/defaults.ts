/**
 * Built-in defaults: the seed's policy (shared/seed), with the abstract names it leaves open
 * (approver roles, triggers) mapped to what any GitHub repository has. A repository without a
 * `.hitl.yml` gets exactly this; a file overrides it key by key.
 */
import type { HitlFile } from './schema.js';

/** What a project pulls in and from where, in the common ecosystems: a change here is a supply-chain change. */
const DEPENDENCY_MANIFESTS = [
  '**/package.json', '**/.npmrc', '**/pnpm-workspace.yaml', '**/.yarnrc.yml', // npm, pnpm, yarn
  '**/pyproject.toml', '**/setup.py', '**/setup.cfg', '**/Pipfile', '**/requirements*.in', '**/requirements/*.in', // pip, uv, poetry
  '**/go.mod', '**/go.work', // Go
  '**/Cargo.toml', // Cargo
  '**/pom.xml', '**/build.gradle', '**/build.gradle.kts', '**/settings.gradle', '**/settings.gradle.kts', '**/libs.versions.toml', '**/gradle-wrapper.properties', // Maven, Gradle
  '**/Gemfile', '**/*.gemspec', // Bundler
  '**/composer.json', // Composer
];

/**
 * The exact versions and hashes installed. Written by tools, so their lines say nothing about the
 * size of a design change; pip's pin files (often pip-compile output) are lockfiles too.
 */
const LOCKFILES = [
  '**/package-lock.json', '**/npm-shrinkwrap.json', '**/yarn.lock', '**/pnpm-lock.yaml',
  '**/requirements*.txt', '**/requirements/*.txt', '**/constraints*.txt', '**/Pipfile.lock', '**/poetry.lock', '**/uv.lock', '**/pdm.lock',
  '**/go.sum', '**/go.work.sum', '**/Cargo.lock', '**/gradle.lockfile', '**/Gemfile.lock', '**/composer.lock',
];

/** Who must review what (GitHub's CODEOWNERS, Prow's OWNERS): changing it changes who guards the code. */
const OWNERSHIP_FILES = ['**/CODEOWNERS', '**/OWNERS', '**/OWNERS_ALIASES'];

/** Other projects' code copied in: neither our API nor our design. */
const VENDORED = ['**/vendor/**', '**/third_party/**', '**/third-party/**', '**/node_modules/**'];

/** Files a tool writes from another source (protobuf, code generators, minifiers, snapshots). */
const GENERATED = [
  '**/*.pb.go', '**/*_pb2.py', '**/*_pb2_grpc.py', '**/*.pb.h', '**/*.pb.cc', '**/zz_generated*.go', '**/*_generated.go',
  '**/*.generated.*', '**/generated/**', '**/__generated__/**', '**/*.min.js', '**/*.min.css', '**/__snapshots__/**',
];

/** Seed names whose meaning comes from here when a file uses them without defining them. */
export const BUILT_IN: HitlFile = {
  checkpoints: {
    architecture_review: {
      trigger: 'major_structural_change',
      required: true,
      approver: 'senior_developer',
      criteria: ['code_quality_standards', 'performance_impact', 'security_implications', 'maintainability'],
      timeout: '24_hours',
    },
    breaking_change: {
      trigger: 'api_modification',
      required: true,
      approver: 'technical_lead',
      criteria: ['impact_documentation', 'migration_strategy', 'rollback_plan', 'stakeholder_communication'],
      timeout: '48_hours',
    },
    security_review: {
      trigger: 'security_related_change',
      required: true,
      approver: 'security_team',
      criteria: ['security_assessment', 'vulnerability_analysis', 'best_practices', 'compliance_requirements'],
      timeout: '24_hours',
    },
    performance_impact: {
      trigger: 'performance_critical',
      required: true,
      approver: ['performance_engineer', 'technical_lead'],
      criteria: ['performance_baseline', 'expected_improvements', 'monitoring_in_place', 'rollback_strategy'],
      timeout: '24_hours',
    },
    rollback_decision: {
      trigger: 'automated_rollback',
      required: true,
      approver: ['technical_lead', 'on_call_engineer'],
      criteria: ['impact_assessment', 'rollback_scope', 'communication_plan', 'recovery_timeline'],
      timeout: '1_hour',
      escalate_after: '5_minutes',
      allow_bypass: ['emergency'],
    },
  },
  approval_workflows: {
    automatic: { scope: 'low_risk_tasks', process: 'automated_approval' },
    peer_review: { scope: 'medium_risk_changes', approvals: 1, timeout: '24_hours', dismiss_stale_approvals: false },
    expert_review: { scope: 'high_risk_changes', approver: 'senior_developer', approvals: 1, timeout: '48_hours' },
  },
  escalation_levels: {
    level_1: { scope: 'common_issues', actions: ['automated_fixes', 'retries', 'fallbacks'], timeout: '5_minutes', escalation: 'level_2' },
    level_2: { scope: 'developer_attention', actions: ['developer_notification', 'automated_diagnostics', 'suggested_solutions'], timeout: '30_minutes', escalation: 'level_3' },
    level_3: { scope: 'expert_attention', actions: ['technical_lead_notification', 'detailed_analysis', 'manual_intervention'], timeout: '2_hours', escalation: 'level_4', notify: 'technical_lead' },
    level_4: { scope: 'business_critical', actions: ['management_notification', 'resource_allocation', 'external_support'], timeout: '4_hours', escalation: 'continuous_monitoring', notify: 'management' },
  },
  roles: {
    senior_developer: ['permission:maintain'],
    technical_lead: ['permission:maintain'],
    performance_engineer: ['permission:maintain'],
    security_team: ['permission:admin'],
    management: ['permission:admin'],
    on_call_engineer: ['permission:maintain'],
  },
  triggers: {
    major_structural_change: { labels: ['architecture'], min_files: 50, min_lines: 1000 },
    api_modification: {
      labels: ['breaking-change', 'breaking'],
      title: '^\\w+(\\([^)]*\\))?!:',
      paths: ['**/*.proto', '**/openapi.{yml,yaml,json}'],
      // A vendored .proto is another project's API: updating the copy breaks nothing of ours.
      paths_ignore: VENDORED,
    },
    security_related_change: {
      labels: ['security'],
      paths: [
        '**/auth/**', '**/authn/**', '**/authz/**', '**/crypto/**', '**/security/**',
        '.github/workflows/**', '.hitl.yml',
        ...OWNERSHIP_FILES, ...DEPENDENCY_MANIFESTS, ...LOCKFILES,
      ],
    },
    performance_critical: { labels: ['performance'], title: '^perf(\\([^)]*\\))?:' },
    automated_rollback: { labels: ['rollback'], revert: true },
  },
  classification: {
    // Not **/*.txt: requirements.txt pins and CMakeLists.txt are not prose.
    low_risk_paths: ['**/*.md', '**/*.rst', 'docs/**', 'LICENSE*', '.gitignore', '**/*.png', '**/*.svg'],
    peer_review_max_lines: 200,
    size_excluded_paths: [...VENDORED, ...GENERATED, ...LOCKFILES],
  },
  notify: { channels: [], from_level: 3 },
  bypass: {
    emergency: { label: 'emergency', allowed: ['on_call_engineer', 'technical_lead'], allow_author: false, post_review: true },
    maintenance_windows: [],
    test_environments: { branches: [], environments: [] },
    protected_environments: ['production'],
  },
  deployments: { require_approval: [], freeze: [] },
};
