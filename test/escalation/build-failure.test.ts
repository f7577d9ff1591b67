import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import nock from 'nock';
import { MemoryAuditSink } from '../../src/audit/types.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { BuildFailureWatch, type WorkflowRunPayload } from '../../src/escalation/build-failure.js';
import type { EscalationEngine } from '../../src/escalation/engine.js';
import { configOf } from '../helpers/facts.js';
import { testOctokit } from '../helpers/github.js';
import { example } from '../helpers/webhooks.js';
import { dropPrefix, fakeGitHub, REDIS_URL, startProducer, testPrefix, waitFor, type GitHubCall } from './harness.js';

const completedExample = example<WorkflowRunPayload>('workflow_run', 'completed');

/** GitHub's example `workflow_run.completed`, as a run of this repository's default branch. */
function workflowRun(conclusion: string, overrides: Partial<WorkflowRunPayload['workflow_run']> = {}): WorkflowRunPayload {
  const payload = structuredClone(completedExample);
  payload.installation = { id: 42 };
  payload.workflow_run = {
    ...payload.workflow_run,
    conclusion,
    head_branch: payload.repository.default_branch,
    event: 'push',
    actor: { login: 'dana' },
    head_repository: { full_name: payload.repository.full_name },
    ...overrides,
  };
  return payload;
}

function configWithLevels(ms: number): ResolvedConfig {
  const levels = [1, 2, 3, 4].map((n) => `  level_${n}: { timeout: ${ms / 1000}s${n > 2 ? `, notify: ${n === 3 ? 'technical_lead' : 'management'}` : ''} }`);
  return configOf(['roles:', '  technical_lead: ["@Codertocat/leads"]', '  management: ["maria"]', 'escalation_levels:', ...levels].join('\n'));
}

describe('build failures on the default branch', () => {
  let prefix: string;
  let engine: EscalationEngine;
  let watch: BuildFailureWatch;
  let calls: GitHubCall[];
  const audit = new MemoryAuditSink();
  const repo = '/repos/Codertocat/Hello-World';
  const octokit = testOctokit();
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.disconnect());

  beforeEach(async () => {
    prefix = testPrefix();
    nock.disableNetConnect();
    calls = fakeGitHub({ leads: ['lena'] });
    engine = await startProducer(prefix, audit);
    watch = new BuildFailureWatch({ redis, prefix, escalation: engine });
    await engine.work(watch);
  });
  afterEach(async () => {
    await engine.close();
    nock.cleanAll();
    nock.enableNetConnect();
    await dropPrefix(prefix);
  });

  it('opens one issue, re-runs the failed jobs once, escalates, and closes the issue on a green run', async () => {
    const config = configWithLevels(1_000);
    const failed = workflowRun('failure');
    expect(await watch.handle(failed, octokit, config)).toEqual({ kind: 'opened', issue: 1001 });
    await waitFor(() => calls.some((c) => c.path.endsWith('/rerun-failed-jobs')), 'level 1');
    // The re-run fails too: same run, second attempt. The issue is updated, not duplicated.
    expect(await watch.handle(workflowRun('failure', { run_attempt: 2 }), octokit, config)).toEqual({ kind: 'updated', issue: 1001 });
    expect(await watch.handle(workflowRun('failure', { run_attempt: 2 }), octokit, config)).toEqual({ kind: 'unchanged', issue: 1001 });
    await waitFor(() => calls.some((c) => c.method === 'POST' && c.path === `${repo}/issues/1001/comments`), 'level 2');
    expect(await watch.handle(workflowRun('success', { id: failed.workflow_run.id + 1 }), octokit, config)).toEqual({ kind: 'closed', issue: 1001 });

    expect(calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST ${repo}/issues`,
      `POST ${repo}/actions/runs/${failed.workflow_run.id}/rerun-failed-jobs`,
      `PATCH ${repo}/issues/1001`,
      `POST ${repo}/issues/1001/comments`,
      `POST ${repo}/issues/1001/comments`,
      `PATCH ${repo}/issues/1001`,
    ]);
    const opened = calls[0]!.body!;
    expect(opened).toMatchObject({ title: `Build failing on main: ${failed.workflow_run.name}`, labels: ['hitl:build-failing'] });
    expect(calls[3]!.body!.body).toContain('@dana');
    expect(calls[3]!.body!.body).toContain(`gh run rerun ${failed.workflow_run.id} --failed --repo Codertocat/Hello-World`);
    expect(calls[5]!.body).toEqual({ state: 'closed' });
    expect(await engine.listPending()).toEqual([]);
    expect(await engine.jobs.getDelayedCount()).toBe(0);
    expect(audit.entries.filter((e) => e.action === 'escalation_resolved').at(-1)).toMatchObject({ reason: 'build fixed', details: { level: 2 } });
  });

  it('ignores runs of other branches, fork pull requests and runs that are not finished', async () => {
    const config = configWithLevels(1_000);
    expect(await watch.handle(workflowRun('failure', { head_branch: 'feature' }), octokit, config)).toEqual({ kind: 'ignored', why: 'not the default branch' });
    expect((await watch.handle(workflowRun('failure', { event: 'pull_request' }), octokit, config)).kind).toBe('ignored');
    expect((await watch.handle({ ...workflowRun('failure'), action: 'requested' }, octokit, config)).kind).toBe('ignored');
    expect(await watch.handle(workflowRun('success'), octokit, config)).toEqual({ kind: 'ignored', why: 'green, and nothing was failing' });
    expect(calls).toEqual([]);
  });
});
