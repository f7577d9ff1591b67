/**
 * `workflow_run` completed: a run of the default branch that failed opens (or updates) its
 * "build failing" issue and escalates it; a green run closes it (src/escalation/build-failure.ts).
 */
import type { Context } from 'probot';
import { loadConfig } from '../config/load.js';
import type { WorkflowRunPayload } from '../escalation/build-failure.js';
import { repositoryOf } from '../github/address.js';
import type { EventKit } from './kit.js';

export async function onWorkflowRun(context: Context<'workflow_run.completed'>, kit: EventKit): Promise<void> {
  if (!kit.builds) return; // nobody could be paged without an escalation engine
  const payload = context.payload as unknown as WorkflowRunPayload;
  const loaded = await kit.readers.config.repository(context.octokit, repositoryOf(payload), payload.repository.default_branch);
  // An invalid config still pages with the built-in ladder.
  const fallback = loadConfig({});
  const config = loaded.ok ? loaded.config : fallback.ok ? fallback.config : undefined;
  if (config) await kit.builds.handle(payload, context.octokit, config);
}
