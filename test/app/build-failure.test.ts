/**
 * `workflow_run` through the app's handle() like every other event: a failed run of the default
 * branch opens one "build failing" issue, its level 1 re-runs the failed jobs, and a redelivery
 * of the same webhook (same X-GitHub-Delivery) does nothing.
 */
import { describe, expect, it } from '@jest/globals';
import { expectWrite, github, mockConfig, mockNoOrgConfig, mockToken } from '../helpers/github.js';
import { examplePayload } from '../helpers/webhooks.js';
import { appForFile, expectOnly, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
let app: AppUnderTest;

appForFile('app-builds', () => NOW, (started) => (app = started));

function failedRun() {
  const payload = examplePayload('workflow_run', 'completed');
  Object.assign(payload.workflow_run, { conclusion: 'failure', head_branch: payload.repository.default_branch, event: 'push', head_repository: { full_name: 'acme/widgets' } });
  return payload;
}

describe('a failing build of the default branch through the app', () => {
  it('opens one issue and re-runs the failed jobs; the redelivered webhook is a duplicate', async () => {
    const payload = failedRun();
    const scope = github();
    mockToken(scope);
    mockNoOrgConfig(scope);
    mockConfig(scope, 'roles:\n  technical_lead: ["lena"]\n', { ref: payload.repository.default_branch });
    const issues = expectWrite(scope, 'post', '/issues', { number: 90 }, 201);
    const reruns = expectWrite(scope, 'post', `/actions/runs/${payload.workflow_run.id}/rerun-failed-jobs`, {}, 201);
    await app.probot.receive({ id: 'build-1', name: 'workflow_run', payload } as never);
    await app.probot.receive({ id: 'build-1', name: 'workflow_run', payload } as never);
    // Level 1 starts at once for a broken default branch: the engine's worker re-runs the failed jobs.
    for (let waited = 0; reruns.length === 0 && waited < 8_000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
    expectOnly(app, scope);
    expect(issues).toEqual([expect.objectContaining({ title: expect.stringContaining('Build failing on main'), labels: ['hitl:build-failing'] })]);
    expect(reruns).toHaveLength(1);
  });
});
