/** What every event handler is given: the pipeline, the readers and writers, and the ports. */
import type { AuditSink } from '../audit/types.js';
import type { AfterRedisOutage } from '../bypass/after-outage.js';
import type { BypassWiring } from '../bypass/publish.js';
import type { BuildFailureWatch } from '../escalation/build-failure.js';
import type { DirectEscalation, EscalationPort, PendingReader } from '../escalation/types.js';
import type { CheckWriter } from '../github/checks.js';
import type { Readers } from '../github/readers.js';
import type { PullPipeline } from '../pipeline/pipeline.js';
import type { Publisher } from '../pipeline/publish.js';
import type { Clock } from '../util/clock.js';
import type { DeploymentWiring } from './deployments.js';

export interface EventKit {
  /** Evaluates a pull request: gather, decide, publish (src/pipeline). */
  pipeline: PullPipeline;
  /** Audit entries about a pull request, as the pipeline records them. */
  publisher: Pick<Publisher, 'record'>;
  /** The cached readers, for handlers that decide outside a PR's evaluation (deployments, merges, builds). */
  readers: Readers;
  /** The merge queue's own `hitl` check. */
  checks: CheckWriter;
  audit: AuditSink;
  escalation?: EscalationPort & DirectEscalation & PendingReader;
  bypass: BypassWiring;
  /** What must be recorded once and needs Redis for it (a merge) waits here while Redis is away. */
  afterOutage: Pick<AfterRedisOutage, 'run'>;
  deployments: DeploymentWiring;
  /** Failing builds of the default branch (only with an escalation engine). */
  builds?: BuildFailureWatch;
  clock: Clock;
}
