/** The open pull requests' stored facts (src/github/open-pulls.ts) on a real Redis: what classification reads comes back alike. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { Cache } from '../../src/github/cache.js';
import { OpenPullFacts } from '../../src/github/open-pulls.js';
import { classify } from '../../src/policy/classify.js';
import { configOf, file, prFacts } from '../helpers/facts.js';
import { testRedis } from '../helpers/redis.js';
import { INSTALLATION_ID, OWNER, REPO } from '../helpers/webhooks.js';

const redis = testRedis('open-pulls');
afterAll(() => redis.close());
const at = (number: number) => ({ installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number });

describe('OpenPullFacts', () => {
  it('gives back facts that classify alike (renames, labels, revert, totals of a cut list), per repository, until the PR is forgotten', async () => {
    const store = new OpenPullFacts(new Cache(redis.redis, redis.prefix));
    const renamed = prFacts({
      number: 3,
      title: `Revert "x" ${'t'.repeat(400)}`,
      labels: ['security'],
      isRevert: true,
      files: [{ path: 'lib/auth.ts', previousPath: 'src/auth/login.ts', additions: 1, deletions: 2 }, file('docs/a.md', 5)],
      changedFiles: 3200,
    });
    await store.record(at(3), renamed);
    await store.record(at(4), prFacts({ number: 4 }));
    await store.record({ ...at(5), repo: 'other' }, prFacts({ number: 5 }));
    const config = configOf();
    const read = (await store.ofRepository(at(0)))!.sort((a, b) => a.number - b.number);
    expect(read.map((f) => f.number)).toEqual([3, 4]);
    expect(classify(read[0]!, config).items).toEqual(classify(renamed, config).items);
    expect(read[0]).toMatchObject({ files: renamed.files, labels: ['security'], isRevert: true, changedFiles: 3200, baseRef: 'main' });

    await store.forget(at(3));
    expect((await store.ofRepository(at(0)))!.map((f) => f.number)).toEqual([4]);
  });
});
