import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { Cache } from '../../src/github/cache.js';
import { harden } from '../../src/github/transport.js';
import { CheckWriter, OwnCheckReader, type CheckOutput } from '../../src/github/checks.js';
import { testRedis } from '../helpers/redis.js';

const R = '/repos/acme/widgets';
const SHA = 'c'.repeat(40);
const APP_ID = 123;
const ownRuns = new OwnCheckReader(APP_ID);
const output: CheckOutput = { name: 'hitl', status: 'in_progress', title: 'Waiting for review', summary: 'one approval missing' };

describe('a check-run POST whose answer was lost (GitHub created it, then answered 502)', () => {
  const redis = testRedis('lost-response');
  const octokit = new ProbotOctokit({ auth: 'ghs_test', retry: { enabled: false }, throttle: { enabled: false } });
  harden(octokit, { redis: redis.redis, prefix: redis.prefix, installationId: 1, baseDelayMs: 10 });
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    nock.enableNetConnect();
    await redis.close();
  });

  it('re-lists the runs on the SHA and updates the one GitHub made instead of creating a duplicate', async () => {
    const patched: unknown[] = [];
    const scope = nock('https://api.github.com')
      .post(`${R}/check-runs`)
      .reply(502, { message: 'Server Error' })
      .get(`${R}/commits/${SHA}/check-runs`)
      .query({ filter: 'latest', app_id: APP_ID, per_page: 100 })
      .reply(200, { total_count: 1, check_runs: [{ id: 77, name: 'hitl', head_sha: SHA, app: { id: APP_ID } }] })
      .patch(`${R}/check-runs/77`, (body) => patched.push(body) > 0)
      .reply(200, { id: 77 });
    await new CheckWriter(new Cache(redis.redis, redis.prefix), ownRuns).syncChecks(octokit, { owner: 'acme', repo: 'widgets' }, SHA, [output], false);
    expect(scope.isDone()).toBe(true);
    expect(patched).toEqual([{ status: 'in_progress', output: { title: output.title, summary: output.summary } }]);
  });

  it('creates it again when the listing shows GitHub did not make it', async () => {
    const scope = nock('https://api.github.com')
      .post(`${R}/check-runs`)
      .reply(502, { message: 'Server Error' })
      .get(`${R}/commits/${SHA}/check-runs`)
      .query({ filter: 'latest', app_id: APP_ID, per_page: 100 })
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${R}/check-runs`)
      .reply(201, { id: 78 });
    await new CheckWriter(new Cache(redis.redis, `${redis.prefix}b:`), ownRuns).syncChecks(octokit, { owner: 'acme', repo: 'widgets' }, SHA, [output], false);
    expect(scope.isDone()).toBe(true);
  });
});
