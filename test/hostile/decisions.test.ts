/**
 * Decisions stick and only people who did not write the code approve it (issue 11 items 3 and 4,
 * and the red-team's outside approver), through the real webhook path: the app behind its HTTP
 * middleware, the GitHub stand-in keeping comments, commits, reviews and check runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFleet, type Fleet } from '../../src/bench/harness.js';
import { REFUSAL_WINDOW_MS } from '../../src/handlers/comment.js';
import { AUTHOR, BOT, CODE_CHANGE, CONFIG, OWNER, PullWorld, REPO, seedWorld } from './gate-world.js';

let fleet: Fleet;
let clock = Date.parse('2026-11-25T09:00:00Z');
let nextNumber = 500;

/** otto is named in the reviewers' role but, an outside user on a public repository, can only read. */
const OUTSIDER = 'otto';

beforeAll(async () => {
  fleet = await startFleet({ installations: 1, concurrency: 1, standIn: { clock: () => clock }, deps: { clock: () => clock } });
  seedWorld(fleet);
  fleet.standIn.state.putFile(OWNER, REPO, '.hitl.yml', CONFIG.replace('reviewers: ["carol", "dave"]', `reviewers: ["carol", "dave", "${OUTSIDER}"]`), 'main');
  fleet.standIn.state.setPermission(OWNER, REPO, OUTSIDER, 'read');
});
afterAll(async () => {
  await fleet.stop();
});

async function opened(): Promise<PullWorld> {
  const world = new PullWorld(fleet, nextNumber++, () => (clock += 2_000));
  await world.open(CODE_CHANGE);
  return world;
}

/** What the app answered on the pull request (its comments), newest last. */
const replies = (world: PullWorld) => world.issue().comments.filter((c) => c.user === 'hitl[bot]').map((c) => c.body);

describe('an accepted /reject or /hold sticks (item 3)', () => {
  it('editing the /reject comment away does not turn hitl green on the next evaluation', async () => {
    const world = await opened();
    await world.review('dave', 'APPROVED');
    await world.comment('carol', '/reject not safe yet');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    world.editComment(0, 'never mind', (c) => c.user === 'carol');
    await world.comment(AUTHOR, '/hitl status');
    expect(world.hitlOnHead()).toMatchObject({ passed: false, title: expect.stringContaining('rejected by @carol') });
  }, 60_000);

  it('deleting the /reject comment does not lift it either', async () => {
    const world = await opened();
    await world.review('dave', 'APPROVED');
    await world.comment('carol', '/reject not safe yet');
    world.deleteComment(0, (c) => c.user === 'carol');
    await world.comment(AUTHOR, '/hitl status');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
  }, 60_000);

  it('a hold whose comment is deleted still holds', async () => {
    const world = await opened();
    await world.review('dave', 'APPROVED');
    await world.comment('carol', '/hold');
    world.deleteComment(0, (c) => c.user === 'carol');
    await world.review('dave', 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: false, title: expect.stringContaining('on hold by @carol') });
  }, 60_000);

  it('the author cannot /unhold a reviewer’s hold, nor can a writer without a role; another approver can', async () => {
    const world = await opened();
    await world.review('dave', 'APPROVED');
    await world.comment('carol', '/hold');
    await world.comment(AUTHOR, '/unhold');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    expect(replies(world).at(-1)).toContain('`/unhold` refused: only @carol or an approver who is not the author can lift @carol\'s hold');
    await world.comment('mallory', '/unhold');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.comment('dave', '/unhold');
    expect(world.hitlOnHead()).toMatchObject({ passed: true });
  }, 60_000);

  it('another approver who is not the author lifts a /reject by approving', async () => {
    const world = await opened();
    await world.comment('carol', '/reject not safe yet');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.comment('dave', '/approve');
    expect(world.hitlOnHead()).toMatchObject({ passed: true });
  }, 60_000);
});

describe('whoever wrote the code does not approve it (item 4)', () => {
  it('an approver who pushed into the pull request cannot approve it', async () => {
    const world = await opened();
    await world.push('carol');
    await world.review('carol', 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.review('dave', 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: true });
  }, 60_000);

  it('a pull request a bot opened from an approver’s commits is not approvable by that approver', async () => {
    const world = new PullWorld(fleet, nextNumber++, () => (clock += 2_000));
    // renovate[bot] opens it; the commit on its branch was written by carol.
    await world.open(CODE_CHANGE, world.number, { ref: `bot-${world.number}`, sha: world.model.head }, 'main', BOT);
    Object.assign(world.issue().pull.commits[0]!, { author: 'carol', committer: 'carol' });
    await world.review('carol', 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.comment('dave', '/approve');
    expect(world.hitlOnHead()).toMatchObject({ passed: true });
  }, 60_000);
});

describe('approvers need write access (red-team)', () => {
  it('a role member named by login who can only read does not approve', async () => {
    const world = await opened();
    await world.review(OUTSIDER, 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.comment(OUTSIDER, '/approve');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
  }, 60_000);
});

describe('refused commands cost little and are answered once per person and window (red-team)', () => {
  /** The routes the app called on the stand-in since `seq`. */
  const routesSince = (seq: number) => fleet.standIn.calls.calls().filter((c) => c.seq > seq).map((c) => c.route);
  const lastSeq = () => fleet.standIn.calls.calls().at(-1)?.seq ?? 0;
  const confusedReactions = (world: PullWorld) => world.issue().comments.flatMap((c) => c.reactions).filter((r) => r.content === 'confused');

  it('a stranger’s commands are refused without evaluating the pull request, and only the first in ten minutes is answered', async () => {
    const world = await opened();
    const before = lastSeq();
    await world.comment('reader', '/approve');
    // Its permission (the evaluation would read it too), the 😕 and the reply: no pull request, files, reviews or comments read, no check touched.
    expect(routesSince(before)).toEqual(['repos.getCollaboratorPermissionLevel', 'reactions.createForIssueComment', 'issues.createComment']);
    expect(replies(world)).toEqual(['@reader `/approve` refused: @reader needs write access to the repository for this command.']);

    const again = lastSeq();
    await world.comment('reader', '/hold');
    await world.comment('reader', '/bypass production is down, INC-4312');
    expect(routesSince(again)).toEqual([]); // the permission is cached; nothing is written
    expect(replies(world)).toHaveLength(1);
    expect(confusedReactions(world)).toHaveLength(1);

    clock += REFUSAL_WINDOW_MS;
    await world.comment('reader', '/approve');
    expect(replies(world)).toHaveLength(2);
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
  }, 60_000);

  it('a writer without a role is evaluated, but answered once per window too', async () => {
    const world = await opened();
    await world.comment('mallory', '/approve');
    await world.comment('mallory', '/approve');
    await world.comment('mallory', '/unhold');
    expect(replies(world)).toEqual(['@mallory `/approve` refused: @mallory is not an approver of peer_review (needs reviewers).']);
    expect(confusedReactions(world)).toHaveLength(1);
    // Accepted commands are always answered.
    await world.comment('mallory', '/hitl status');
    expect(replies(world)).toHaveLength(2);
  }, 60_000);
});
