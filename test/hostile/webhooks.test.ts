import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startFleet, type Fleet } from '../../src/bench/harness.js';
import { buildDelivery, type Delivery, type PullTarget } from '../../src/stand-in/webhooks.js';

/**
 * Hostile input through the real HTTP middleware: mutated real payloads, malformed JSON, big
 * bodies, unknown events, commands dressed in Unicode tricks. The PR has no approval anywhere,
 * so any `success` on its hitl check or any 👍 would be a wrong approval.
 */
describe('hostile webhooks', () => {
  let fleet: Fleet;
  let pr: PullTarget;
  beforeAll(async () => {
    fleet = await startFleet({ installations: 1, concurrency: 4 });
    pr = fleet.pulls[0]!;
  });
  afterAll(async () => {
    await fleet.stop();
  });

  const noApproval = () => {
    const runs = fleet.standIn.state.checkRuns(pr.owner, pr.repo, { name: 'hitl' });
    expect(runs.filter((r) => r.conclusion === 'success')).toEqual([]);
    for (const comment of fleet.standIn.state.comments(pr.owner, pr.repo, pr.number)) expect(comment.reactions.filter((r) => r.content === '+1')).toEqual([]);
  };
  const raw = (name: string, body: string): Delivery => ({ id: `hostile-${Math.random()}`, name, payload: {}, body });
  const alive = async () => expect((await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request.opened', pr }))).status).toBe(200);

  /** A path into a JSON value and what to put there: deleted, a wrong type, a huge string. */
  const mutation = fc.record({
    depth: fc.nat({ max: 3 }),
    picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    value: fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}), fc.string(), fc.constant('x'.repeat(200_000)), fc.constant('/approve')),
  });

  function mutate(payload: Record<string, unknown>, m: { depth: number; picks: number[]; value: unknown }): Record<string, unknown> {
    const copy = structuredClone(payload);
    let node: any = copy;
    for (let level = 0; level <= m.depth; level++) {
      const keys = node && typeof node === 'object' ? Object.keys(node) : [];
      if (keys.length === 0) break;
      const key = keys[m.picks[level]! % keys.length]!;
      if (level === m.depth || !node[key] || typeof node[key] !== 'object') {
        if (m.value === undefined) delete node[key];
        else node[key] = m.value;
        break;
      }
      node = node[key];
    }
    return copy;
  }

  it('mutated real payloads (missing fields, wrong types, huge strings) get an answer, never a crash or an approval', async () => {
    const comment = fleet.standIn.state.addComment(pr.owner, pr.repo, pr.number, 'alice', '/approve');
    const seeds = [
      buildDelivery({ event: 'pull_request.opened', pr }),
      buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved' }),
      buildDelivery({ event: 'issue_comment.created', pr, commenter: 'alice', body: '/approve', commentId: comment.id }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), mutation, async (which, m) => {
        const seed = seeds[which]!;
        const payload = mutate(seed.payload, m);
        const result = await fleet.drivers[0]!.send({ ...seed, id: `fuzz-${Math.random()}`, payload, body: JSON.stringify(payload) });
        expect(result.status).toBeGreaterThan(0);
        noApproval();
      }),
      { numRuns: 60, seed: 8 },
    );
    await alive();
    expect(fleet.standIn.internalErrors).toEqual([]);
  }, 60_000);

  it('malformed JSON, an empty body, a 5 MB body and an unknown event: rejected or ignored, the app keeps serving', async () => {
    const before = fleet.standIn.calls.stats().writes;
    const malformed = [raw('pull_request', '{"action": "opened", '), raw('pull_request', '')];
    for (const delivery of malformed) expect((await fleet.drivers[0]!.send(delivery)).status).toBeGreaterThanOrEqual(400);
    // Well-formed but meaningless (no installation, unknown event): answered, nothing done.
    for (const delivery of [raw('issue_comment', `{"junk":"${'y'.repeat(5 * 2 ** 20)}"}`), raw('made_up_event', '{"action":"x"}')]) {
      expect((await fleet.drivers[0]!.send(delivery)).status).toBeGreaterThan(0);
    }
    expect(fleet.standIn.calls.stats().writes).toBe(before);
    await alive();
  }, 30_000);

  it.each([
    ['zero-width space', '/\u200Bapprove'],
    ['fullwidth slash', '\uFF0Fapprove'],
    ['RTL override', '\u202E/approve'],
    ['homoglyph (Cyrillic a)', '/\u0430pprove'],
    ['inside a quote', '> /approve'],
    ['inside a code block', '```\n/approve\n```'],
    ['after 100 kB of text on one line', `${'z'.repeat(100_000)} /approve`],
  ])('a command dressed as %s by a write collaborator does not approve', async (_, body) => {
    const comment = fleet.standIn.state.addComment(pr.owner, pr.repo, pr.number, 'carol', body);
    const result = await fleet.drivers[0]!.send(buildDelivery({ event: 'issue_comment.created', pr, commenter: 'carol', body, commentId: comment.id }));
    expect(result.status).toBe(200);
    noApproval();
  });

  it('the plain command from the same collaborator does approve (the tricks above were the only difference)', async () => {
    const comment = fleet.standIn.state.addComment(pr.owner, pr.repo, pr.number, 'carol', '/approve');
    await fleet.drivers[0]!.send(buildDelivery({ event: 'issue_comment.created', pr, commenter: 'carol', body: '/approve', commentId: comment.id }));
    expect(fleet.standIn.state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ conclusion: 'success' })]);
  });
});
