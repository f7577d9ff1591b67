/**
 * The escalation engine's check-back (GatePort): before a timer acts, is its item still pending
 * and what is missing? Items that live outside a pull request's plan answer from their own
 * records (a failing build, a rollback issue, a merged PR's compliance violation); a PR's item
 * is re-evaluated through the pipeline, exactly as a webhook would.
 */
import { complianceGateAnswer } from '../bypass/compliance.js';
import type { OnceMarkers } from '../bypass/once.js';
import type { ResolvedConfig } from '../config/types.js';
import { rollbackGateAnswer } from '../deployments/rollback.js';
import type { RollbackRecords } from '../deployments/store.js';
import { isBuildItem } from '../escalation/build-failure.js';
import { mentionsOf, roleMentionsOf } from '../escalation/ladder.js';
import type { Diagnostics, EscalationTarget, GateAnswer, GatePort } from '../escalation/types.js';
import type { InstallationClients } from '../github/client.js';
import type { GateItem, ItemStatus } from '../policy/types.js';
import type { PullPipeline } from './pipeline.js';

export interface GatePortDeps {
  pipeline: PullPipeline;
  github: InstallationClients;
  rollbacks: RollbackRecords;
  once: OnceMarkers;
  /** Failing builds of the default branch (absent without an escalation engine). */
  builds?: GatePort;
}

export function gatePort(deps: GatePortDeps): GatePort {
  return {
    async check(target: EscalationTarget): Promise<GateAnswer> {
      if (isBuildItem(target.item)) return deps.builds ? deps.builds.check(target) : { pending: false };
      const outside = (await rollbackGateAnswer(deps.rollbacks, target)) ?? (await complianceGateAnswer(deps.once, target));
      if (outside) return outside;
      const address = { installationId: target.installationId, owner: target.owner, repo: target.repo, number: target.number };
      const outcome = await deps.pipeline.run({ address, github: await deps.github.installationClient(target.installationId) });
      if (outcome.kind !== 'evaluated') return { pending: false };
      const found = outcome.evaluation.items.find((i) => i.item.name === target.item);
      if (!found || found.status.state !== 'pending') return { pending: false };
      return { pending: true, diagnostics: diagnose(found.item, found.status, outcome.pull.author, outcome.pull.headSha, outcome.config) };
    },
  };
}

function diagnose(item: GateItem, status: Extract<ItemStatus, { state: 'pending' }>, author: string, headSha: string, config: ResolvedConfig): Diagnostics {
  return {
    author,
    pendingApprovers: mentionsOf(item.approvers.members),
    roleMentions: roleMentionsOf(config),
    missing: [
      ...(status.missingApprovals > 0 ? [`${status.missingApprovals} approval(s) from ${item.approvers.roles.join(' or ') || 'a collaborator with write access'}`] : []),
      ...status.criteria.filter((c) => !c.ticked).map((c) => `criterion ${c.name} not ticked in the description`),
    ],
    commands: [`/approve ${item.name}`],
    headSha,
  };
}
