/**
 * The deployment gate's decision (product.md §7), a pure function of the environment, the
 * pull requests the deployed commit ships with their `hitl` results, the config, a human
 * approval if one was given, and the time.
 *
 * Which environments are gated: every environment that is not a test environment. The app
 * only hears about environments where an admin enabled it as a protection rule, so an
 * environment missing from `bypass.protected_environments` is still gated (fail closed);
 * being protected additionally makes `deployments.require_approval` apply.
 */
import type { Approvers, ResolvedConfig } from '../config/types.js';
import { openFreezes, type FreezeWindow } from './freeze.js';

/** The command word on a pull request that answers a deployment waiting for a human: `/approve deploy`. */
export const DEPLOY_COMMAND_TARGET = 'deploy';

/** What a pull request's `hitl` check run says, reduced to what the gate needs. */
export type PrGate =
  | { number: number; state: 'passed'; bypassed: boolean }
  | { number: number; state: 'failed'; conclusion: string; title?: string }
  | { number: number; state: 'pending'; status: string }
  | { number: number; state: 'missing' };

export interface CheckRunFacts {
  status: string;
  conclusion: string | null;
  title?: string | null;
}

export function prGateOf(number: number, run: CheckRunFacts | undefined): PrGate {
  if (!run) return { number, state: 'missing' };
  if (run.status !== 'completed') return { number, state: 'pending', status: run.status };
  // Only success counts: neutral or skipped would pass branch protection, but not this gate.
  if (run.conclusion === 'success') return { number, state: 'passed', bypassed: /bypass/i.test(run.title ?? '') };
  return { number, state: 'failed', conclusion: run.conclusion ?? 'unknown', title: run.title ?? undefined };
}

export interface DeploymentPolicy {
  isTestEnvironment: (environment: string) => boolean;
  protectedEnvironments: readonly string[];
  requireApproval: Approvers;
  freezes: readonly FreezeWindow[];
}

export function deploymentPolicy(config: ResolvedConfig, freezes: readonly FreezeWindow[]): DeploymentPolicy {
  return {
    isTestEnvironment: config.bypass.isTestEnvironment,
    protectedEnvironments: config.bypass.protectedEnvironments,
    requireApproval: config.deployments.requireApproval,
    freezes,
  };
}

export interface DeploymentRequest {
  environment: string;
  sha: string;
  prs: readonly PrGate[];
  /** A `/approve deploy` by a member of the required roles. */
  humanApproval?: { by: string };
}

/** An answer GitHub can be given. */
export type DeploymentAnswer = { state: 'approved' | 'rejected'; comment: string };
export type DeploymentDecision = DeploymentAnswer | { state: 'awaiting_approval'; roles: string[]; comment: string };

/** Where only an answer will do, a deployment still waiting for a human is not approved (fail closed). */
export function asAnswer(decision: DeploymentDecision): DeploymentAnswer {
  return decision.state === 'awaiting_approval' ? { state: 'rejected', comment: decision.comment } : decision;
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * What can be decided before looking at any pull request: test environments pass at once,
 * an open freeze stops everything else. Undefined means the gate evidence is needed.
 */
export function decideBeforeEvidence(environment: string, policy: DeploymentPolicy, now: number): DeploymentAnswer | undefined {
  if (policy.isTestEnvironment(environment)) {
    return { state: 'approved', comment: `HITL: ${environment} is a test environment (bypass.test_environments); approved without a gate check.` };
  }
  const freeze = openFreezes(policy.freezes, now)[0];
  if (freeze) {
    return {
      state: 'rejected',
      comment: `HITL: deployments are frozen by "${freeze.name}" until ${new Date(freeze.closesAt).toISOString()}; deploy again after it closes.`,
    };
  }
  return undefined;
}

function describeFailure(gate: Exclude<PrGate, { state: 'passed' }>): string {
  switch (gate.state) {
    case 'missing':
      return `PR #${gate.number} has no hitl check`;
    case 'pending':
      return `PR #${gate.number} was merged while its hitl check was still ${gate.status.replace(/_/g, ' ')}`;
    case 'failed':
      return `PR #${gate.number}: hitl is ${gate.conclusion}${gate.title ? ` (${gate.title})` : ''}`;
  }
}

export function decideDeployment(request: DeploymentRequest, policy: DeploymentPolicy, now: number): DeploymentDecision {
  const early = decideBeforeEvidence(request.environment, policy, now);
  if (early) return early;
  if (request.prs.length === 0) {
    return {
      state: 'rejected',
      comment: `HITL: commit ${short(request.sha)} belongs to no pull request, so nothing shows it passed the hitl gate; deploy a commit merged through a pull request.`,
    };
  }
  const failures = request.prs.flatMap((gate) => (gate.state === 'passed' ? [] : [describeFailure(gate)]));
  if (failures.length > 0) {
    return { state: 'rejected', comment: `HITL: not approved for ${request.environment}: ${failures.join('; ')}.` };
  }
  const passed = request.prs
    .map((gate) => `PR #${gate.number} ${gate.state === 'passed' && gate.bypassed ? 'passed by emergency override' : 'passed the hitl gate'}`)
    .join(', ');
  const roles = policy.requireApproval.roles;
  const needsHuman = policy.protectedEnvironments.includes(request.environment) && roles.length > 0;
  if (needsHuman && !request.humanApproval) {
    return {
      state: 'awaiting_approval',
      roles,
      comment: `HITL: ${passed}; ${request.environment} also needs a human approval from ${roles.join(' or ')} (\`/approve deploy\` on the pull request).`,
    };
  }
  const by = needsHuman && request.humanApproval ? `, approved by @${request.humanApproval.by}` : '';
  return { state: 'approved', comment: `HITL: ${passed}${by}; no freeze is open.` };
}
