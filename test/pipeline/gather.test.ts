/** The gather step's GitHub PullContext: each read at most once per event, whoever asks. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { Cache } from '../../src/github/cache.js';
import { readersOn } from '../../src/github/readers.js';
import { GitHubPullContext } from '../../src/pipeline/gather.js';
import { PatchRecords } from '../../src/pipeline/state.js';
import { github, mockComments, mockFiles, mockPermission, mockPull, mockReviews, mockTeam, testOctokit } from '../helpers/github.js';
import { APP_ID } from '../helpers/probot.js';
import { pullData } from '../helpers/pull-context.js';
import { testRedis } from '../helpers/redis.js';
import { INSTALLATION_ID, OWNER, pullObject, REPO, examplePayload } from '../helpers/webhooks.js';

const redis = testRedis('gather');
beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  await redis.close();
});

describe('GitHubPullContext', () => {
  it('answers a second ask of the pull request, its reviews, comments or a person from the first read', async () => {
    const scope = github();
    mockPull(scope, pullObject(examplePayload('pull_request', 'opened').pull_request, { number: 5 }), 5);
    mockReviews(scope, [{ login: 'carol', state: 'APPROVED', commitSha: 'head1' }], 5);
    mockComments(scope, [], 5);
    mockPermission(scope, 'carol', 'write');
    mockTeam(scope, 'reviewers', 'carol', true);
    const cache = new Cache(redis.redis, redis.prefix);
    const ctx = new GitHubPullContext({ installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number: 5 }, testOctokit(), readersOn(cache, APP_ID), new PatchRecords(cache));
    const teams = [{ org: OWNER, slug: 'reviewers' }];
    const [first, second] = await Promise.all([ctx.pull(), ctx.pull()]);
    expect(second).toBe(first);
    expect(await ctx.reviews()).toBe(await ctx.reviews());
    expect(await ctx.comments()).toBe(await ctx.comments());
    expect(await ctx.actor('carol', false, teams)).toEqual({ login: 'carol', isBot: false, permission: 'write', teams: ['acme/reviewers'] });
    expect(await ctx.actor('Carol', false, teams)).toBe(await ctx.actor('carol', false, teams));
    expect(scope.pendingMocks()).toEqual([]); // each mock answers once: a second request would have failed
  });

  it('gives each listed file a patch id: its patch, else its blob at the head, else none (unknown)', async () => {
    const cache = new Cache(redis.redis, redis.prefix);
    const ctx = (number: number) => new GitHubPullContext({ installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number }, testOctokit(), readersOn(cache, APP_ID), new PatchRecords(cache));
    const pull = (number: number) => ({ ...pullData({ number }), headSha: `head-${number}` });
    const scope = github();
    const edit = '@@ -1 +1 @@\n-a\n+b';
    mockFiles(scope, [{ path: 'a.ts', patch: edit }, { path: 'logo.png', sha: 'blob1' }, { path: 'huge.bin' }, { path: 'c.ts', patch: edit, status: 'renamed', previousPath: 'old/c.ts' }], 6);
    mockFiles(scope, [{ path: 'a.ts', patch: '@@ -1 +1 @@\n-a\n+c' }, { path: 'logo.png', sha: 'blob2' }], 7);
    const [a, logo, huge, renamed] = await ctx(6).files(pull(6));
    const [a7, logo7] = await ctx(7).files(pull(7));
    expect(huge!.patchId).toBeUndefined();
    expect(new Set([a!.patchId, logo!.patchId, renamed!.patchId, a7!.patchId, logo7!.patchId]).size).toBe(5);
    expect(scope.pendingMocks()).toEqual([]);
  });
});
