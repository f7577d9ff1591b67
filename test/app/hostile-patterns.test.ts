/**
 * A `.hitl.yml` whose title pattern or path glob backtracks catastrophically in JavaScript's
 * regex engine, met by a pull request crafted for it (issue 11, item 5): the app still answers
 * at once, through the real path webhook → classification → checks.
 */
import { describe, expect, it } from '@jest/globals';
import { checkRunCreated, expectWrite, github, mockConfig, mockFiles, mockNoOrgConfig, mockToken } from '../helpers/github.js';
import { pullRequestEvent } from '../helpers/webhooks.js';
import { appForFile, expectOnly, PEER_REVIEW_CONFIG, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
let app: AppUnderTest;

appForFile('app-hostile-patterns', () => NOW, (started) => (app = started));

/** Both validate; on V8 the title takes 24 s at 28 characters, the glob about as long on a 600-character name. */
const HOSTILE_CONFIG = `${PEER_REVIEW_CONFIG}triggers:
  conventional_title: { title: "^(\\\\w+\\\\s?)+:" }
  generated_code: { paths: ["**/*a*a*a*a*b"] }
checkpoints:
  title_review: { trigger: conventional_title, approver: reviewers }
  generated_review: { trigger: generated_code, approver: reviewers }
`;

describe('hostile patterns through the app', () => {
  it('classifies a crafted title and file name against backtracking patterns without hanging: peer review, as neither matches', async () => {
    const PR = 70;
    const scope = github();
    mockToken(scope);
    mockNoOrgConfig(scope);
    mockConfig(scope, HOSTILE_CONFIG);
    mockFiles(scope, [{ path: 'src/widgets.ts', additions: 150 }, { path: `src/${'a'.repeat(600)}`, additions: 1 }], PR);
    const checks = checkRunCreated(scope, 71);
    expectWrite(scope, 'post', '/labels', {}, 201);
    expectWrite(scope, 'post', `/issues/${PR}/labels`, [{ name: 'hitl:peer-review' }]);
    const requested = expectWrite(scope, 'post', `/pulls/${PR}/requested_reviewers`, {}, 201);

    await app.deliver('pull_request', pullRequestEvent('opened', { number: PR, title: `${'a'.repeat(28)}!`, additions: 151, changedFiles: 2, headSha: 'head70' }));

    expectOnly(app, scope);
    expect(checks).toEqual([expect.objectContaining({ name: 'hitl', head_sha: 'head70', status: 'in_progress' })]);
    expect(checks[0].output.summary).not.toContain('title_review');
    expect(requested).toEqual([{ reviewers: ['carol', 'dave'], team_reviewers: [] }]);
  });
});
