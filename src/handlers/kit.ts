/** What every event handler is given: the gate, the writer, the ports, and how to address a PR. */
import type { Context } from 'probot';
import type { AuditSink } from '../audit/types.js';
import type { DirectEscalation, PendingReader, EscalationPort } from '../escalation/types.js';
import type { BypassWiring } from './bypass.js';
import type { DeploymentWiring } from './deployments.js';
import type { Readers } from '../github/readers.js';
import type { Gate, GateDeps, GateRequest } from './gate.js';

export interface EventKit {
  gate: Gate;
  /** The gate's cached readers (config, people), for handlers that decide outside a PR's evaluation. */
  readers: Readers;
  writers: GateDeps['writers'];
  audit: AuditSink;
  escalation?: EscalationPort & DirectEscalation & PendingReader;
  bypass: BypassWiring;
  deployments: DeploymentWiring;
  target(context: Context, number: number): Pick<GateRequest, 'octokit' | 'installationId' | 'ref' | 'number'>;
}

export function targetOf(context: Context, number: number): Pick<GateRequest, 'octokit' | 'installationId' | 'ref' | 'number'> {
  const payload = context.payload as { installation?: { id: number }; repository?: { owner: { login: string }; name: string } };
  if (!payload.installation || !payload.repository) throw new Error('event without installation or repository');
  return {
    octokit: context.octokit,
    installationId: payload.installation.id,
    ref: { owner: payload.repository.owner.login, repo: payload.repository.name },
    number,
  };
}
