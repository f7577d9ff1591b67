/**
 * Gate integrity as a property (issue 11): random sequences of events through the real webhook
 * path (the app behind its HTTP middleware, the GitHub stand-in keeping state) and, after every
 * event, `hitl` on the pull request's head is green only when the product says it may be
 * (see GateModel in gate-world.ts: an approval by an approver who is neither the author nor a
 * pusher, on the current head, with no standing /reject or /hold).
 *
 * Runs HITL_PROPERTY_RUNS sequences (default 20) of up to 12 events from a fixed seed
 * (HITL_PROPERTY_SEED); HITL_PROPERTY_KNOWN_HOLES=item1,… adds the families listed below.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startFleet, type Fleet } from '../../src/bench/harness.js';
import { AUTHOR, BOT, CODE_CHANGE, DOCS_CHANGE, EMERGENCY_LABEL, PullWorld, seedWorld, TEST_BRANCH } from './gate-world.js';

/**
 * Event families that still walk around the gate on this code, named by their item in issue 11
 * or, for holes found by this property, by what they do. The property does not generate them
 * yet; switch each on (add it here) with its fix:
 * - item1: a second PR on the same head commit (docs-only, into a scratch branch) turns the
 *   shared `hitl` green.
 * - test-branch-retarget: retargeted to a branch whose own .hitl.yml makes it a test
 *   environment, the PR's head gets a green `hitl` that the default branch's protection accepts.
 */
type KnownHole = 'item1' | 'test-branch-retarget';
const GENERATED_KNOWN_HOLES: readonly KnownHole[] = [];

const fromEnv = (process.env.HITL_PROPERTY_KNOWN_HOLES ?? '').split(',').filter(Boolean) as KnownHole[];
const holes = new Set<KnownHole>([...GENERATED_KNOWN_HOLES, ...fromEnv]);
const RUNS = Number(process.env.HITL_PROPERTY_RUNS ?? 20);
const SEED = Number(process.env.HITL_PROPERTY_SEED ?? 11);

const NO_SAY = [AUTHOR, 'mallory', 'reader', 'triager', BOT];
const WRITERS_WITHOUT_ROLE = [AUTHOR, 'mallory'];
/** What a person without a say may write: commands, dressed up or not. */
const NO_SAY_BODIES = [
  '/approve', '/approve peer_review', '/APPROVE Peer_Review', '/bypass production is down, INC-4312', '/unbypass', '/hold',
  '/hitl status', '> quoted\n/approve', 'fine <!--\n/approve\n-->', '`x\n/approve`', '/approve <!-- lgtm -->',
];

type Event =
  | { kind: 'comment'; by: string; body: string }
  | { kind: 'edit'; pick: number; body: string; ofDecisions: boolean }
  | { kind: 'delete'; pick: number; ofDecisions: boolean }
  | { kind: 'review'; by: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' }
  | { kind: 'push'; by: string }
  | { kind: 'label'; by: string; name: string; add: boolean }
  | { kind: 'retarget'; to: 'main' | 'release' | typeof TEST_BRANCH }
  | { kind: 'sibling'; base: 'scratch' | 'main' }
  | { kind: 'redeliver'; pick: number; freshId: boolean };

const person = (people: readonly string[]) => fc.constantFrom(...people);
const today: Array<fc.Arbitrary<Event>> = [
  fc.record({ kind: fc.constant('comment' as const), by: person(NO_SAY), body: fc.constantFrom(...NO_SAY_BODIES) }),
  // The approvers act too (the model weighs what they do): carol mostly shuts the gate, dave approves.
  fc.record({ kind: fc.constant('comment' as const), by: fc.constant('carol'), body: fc.constantFrom('/reject not safe yet', '/hold', '/unhold', '/hitl status') }),
  fc.record({ kind: fc.constant('comment' as const), by: fc.constant('dave'), body: fc.constantFrom('/approve', '/approve peer_review', '/unhold', '/hitl status') }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), body: fc.constantFrom('/approve', '/unhold', 'never mind'), ofDecisions: fc.constant(false) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(), ofDecisions: fc.constant(false) }),
  fc.record({ kind: fc.constant('review' as const), by: person(NO_SAY), state: fc.constantFrom('APPROVED' as const, 'COMMENTED' as const) }),
  fc.record({ kind: fc.constant('review' as const), by: person(['carol', 'dave']), state: fc.constantFrom('APPROVED' as const, 'CHANGES_REQUESTED' as const) }),
  fc.record({ kind: fc.constant('push' as const), by: person([AUTHOR, 'mallory', BOT]) }),
  // Item 4: an approver pushes into the PR (and so may not approve it).
  fc.record({ kind: fc.constant('push' as const), by: person(['carol', 'dave']) }),
  // Item 3: erasing decisions: editing or deleting a /reject or /hold comment, /unhold by the author or a writer without a role.
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), body: fc.constantFrom('never mind', '/approve'), ofDecisions: fc.constant(true) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(), ofDecisions: fc.constant(true) }),
  fc.record({ kind: fc.constant('comment' as const), by: person(WRITERS_WITHOUT_ROLE), body: fc.constant('/unhold') }),
  fc.record({ kind: fc.constant('label' as const), by: person(WRITERS_WITHOUT_ROLE), name: fc.constantFrom(EMERGENCY_LABEL, 'security'), add: fc.boolean() }),
  // olivia may bypass with the label; a triage user may take it off and put it back.
  fc.record({ kind: fc.constant('label' as const), by: fc.constant('olivia'), name: fc.constant(EMERGENCY_LABEL), add: fc.constant(true) }),
  fc.record({ kind: fc.constant('label' as const), by: fc.constant('triager'), name: fc.constant(EMERGENCY_LABEL), add: fc.boolean() }),
  fc.record({ kind: fc.constant('retarget' as const), to: fc.constantFrom('main' as const, 'release' as const) }),
  fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat(), freshId: fc.constant(false) }),
  // An earlier event's payload again under a new id (GitHub delivers concurrently; payloads of one second look alike).
  fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat(), freshId: fc.constant(true) }),
];
const knownHoleEvents: Record<KnownHole, Array<fc.Arbitrary<Event>>> = {
  item1: [fc.record({ kind: fc.constant('sibling' as const), base: fc.constantFrom('scratch' as const, 'main' as const) })],
  'test-branch-retarget': [fc.record({ kind: fc.constant('retarget' as const), to: fc.constant(TEST_BRANCH) })],
};
const eventArb = fc.oneof(...today, ...[...holes].flatMap((hole) => knownHoleEvents[hole]));

/** Comments whose edit or deletion erases no decision (a /reject or /hold). */
const notADecision = (comment: { body: string }) => !/^\/(reject|hold)\b/im.test(comment.body);
const isDecision = (comment: { body: string }) => !notADecision(comment);

let fleet: Fleet;
let clock = Date.parse('2026-11-24T09:00:00Z');
let nextNumber = 100;

async function apply(world: PullWorld, event: Event): Promise<void> {
  const { model } = world;
  switch (event.kind) {
    case 'comment':
      await world.comment(event.by, event.body);
      if (/^\/approve/i.test(event.body)) model.approved(event.by);
      if (event.body.startsWith('/reject')) model.rejected(event.by);
      if (event.body === '/hold') model.held(event.by);
      if (event.body === '/unhold') model.unheld(event.by);
      return;
    case 'edit':
      return world.editComment(event.pick, event.body, event.ofDecisions ? isDecision : notADecision);
    case 'delete':
      return world.deleteComment(event.pick, event.ofDecisions ? isDecision : notADecision);
    case 'review':
      await world.review(event.by, event.state);
      if (event.state === 'APPROVED') model.approved(event.by);
      if (event.state === 'CHANGES_REQUESTED') model.withdrew(event.by);
      return;
    case 'push':
      return world.push(event.by);
    case 'label':
      if (await world.label(event.by, event.name, event.add) && event.name === EMERGENCY_LABEL) model.emergencyLabel(event.by, event.add);
      return;
    case 'retarget':
      return world.retarget(AUTHOR, event.to);
    case 'sibling':
      return world.openSibling(nextNumber++, event.base, DOCS_CHANGE);
    case 'redeliver':
      return world.redeliver(event.pick, event.freshId);
  }
}

describe('gate integrity under random events', () => {
  beforeAll(async () => {
    fleet = await startFleet({ installations: 1, concurrency: 1, standIn: { clock: () => clock }, deps: { clock: () => clock } });
    seedWorld(fleet);
  });
  afterAll(async () => {
    await fleet.stop();
  });

  it(`hitl is never green without an approval the product accepts (${RUNS} sequences, seed ${SEED}${holes.size ? `, known holes: ${[...holes].join(',')}` : ''})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 12 }), async (events) => {
        // Two seconds per event: nothing shares a second with a push (item 10 has its own test).
        const world = new PullWorld(fleet, nextNumber++, () => (clock += 2_000));
        await world.open(CODE_CHANGE);
        for (const event of events) {
          await apply(world, event);
          const hitl = world.hitlOnHead();
          if (hitl?.passed && !world.model.mayPass()) {
            throw new Error(`hitl turned green without a valid approval after ${JSON.stringify(event)}: ${hitl.title}`);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    expect(fleet.standIn.internalErrors).toEqual([]);
  }, 30 * 60_000);

  it('a green hitl taken back (changes requested, then a hold) shows on the head as a new run that is not green', async () => {
    const world = new PullWorld(fleet, nextNumber++, () => (clock += 2_000));
    await world.open(CODE_CHANGE);
    await world.review('carol', 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: true });
    // GitHub keeps a completed run's conclusion whatever a PATCH says: only a new run can close the gate again.
    await world.review('carol', 'CHANGES_REQUESTED');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.review('carol', 'APPROVED');
    expect(world.hitlOnHead()).toMatchObject({ passed: true });
    await world.comment('dave', '/hold');
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
  }, 60_000);

  it('an earlier payload delivered again under a new id in the same second is refetched, not acted on', async () => {
    let sameSecond = false;
    const world = new PullWorld(fleet, nextNumber++, () => (clock += sameSecond ? 0 : 2_000));
    await world.open(CODE_CHANGE);
    sameSecond = true;
    // The security label makes it expert review: hitl:peer-review comes off, hitl:expert-review goes on.
    await world.label(AUTHOR, 'security', true);
    // Its payload again (GitHub delivers concurrently): its labels still list hitl:peer-review, which is gone.
    await world.redeliver(1, true);
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    expect(fleet.standIn.internalErrors).toEqual([]);
  }, 60_000);

  it('the emergency label put back by a triage user does not revive the bypass of the person who added it before', async () => {
    const world = new PullWorld(fleet, nextNumber++, () => (clock += 2_000));
    await world.open(CODE_CHANGE);
    await world.label('olivia', EMERGENCY_LABEL, true);
    expect(world.hitlOnHead()).toMatchObject({ passed: true, title: expect.stringContaining('bypass') });
    await world.label('triager', EMERGENCY_LABEL, false);
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    await world.label('triager', EMERGENCY_LABEL, true);
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
  }, 60_000);

  it('a labeled payload handled after the removal in the same second does not bring the bypass back', async () => {
    let sameSecond = false;
    const world = new PullWorld(fleet, nextNumber++, () => (clock += sameSecond ? 0 : 2_000));
    await world.open(CODE_CHANGE);
    sameSecond = true;
    await world.label('olivia', EMERGENCY_LABEL, true);
    await world.label('triager', EMERGENCY_LABEL, false);
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
    // GitHub delivers concurrently: olivia's `labeled` (labels: [emergency]) may be handled last.
    await world.redeliver(1, true);
    expect(world.hitlOnHead()).toMatchObject({ passed: false });
  }, 60_000);
});
