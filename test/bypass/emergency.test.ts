import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { answerLabelRefusal } from '../../src/bypass/emergency.js';
import { issueEvents } from '../../src/github/issues.js';
import { justificationFromBody, labelersOf, labelEvidence } from '../../src/policy/emergency.js';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import type { Actor, EvidenceEvent } from '../../src/policy/types.js';
import { actor, configOf, file, prFacts } from '../helpers/facts.js';
import { redisDeps } from './helpers.js';
import { API, testOctokit } from '../helpers/github.js';
import { example as examplePayload } from '../helpers/webhooks.js';

const CONFIG = configOf(`
roles:
  on_call_engineer: ["olive"]
  technical_lead: ["@acme/leads"]
bypass:
  emergency: { label: emergency, allowed: [on_call_engineer, technical_lead] }
`);
const PEOPLE: Record<string, Actor> = {
  olive: actor('olive', 'write'),
  lena: actor('lena', 'maintain', ['acme/leads']),
  mallory: actor('mallory', 'admin'),
};
const resolveActor = async (login: string) => PEOPLE[login] ?? actor(login, 'none');
const JUSTIFIED = 'Fixes the outage.\n\nEmergency: checkout is down for every EU customer since 09:12\n';
const T_LABEL = Date.parse('2026-11-24T09:20:00Z');

/** GitHub's `pull_request.labeled` example, turned into the emergency label on a PR with a body. */
function labeledPayload(body: string, sender = 'olive') {
  const payload = examplePayload('pull_request', 'labeled');
  payload.label = { ...payload.label, name: 'emergency' };
  payload.sender = { ...payload.sender, login: sender };
  payload.pull_request.body = body;
  payload.pull_request.labels = [payload.label];
  payload.installation = { id: 4242, node_id: 'x' };
  return payload;
}

const labelEvent = (event: 'labeled' | 'unlabeled', login: string, at: number, name = 'emergency') => ({
  id: at,
  event,
  actor: { login, id: 1, type: 'User' },
  created_at: new Date(at).toISOString(),
  label: { name, color: 'ff0000' },
});

function prOf(payload: ReturnType<typeof labeledPayload>) {
  return {
    installationId: payload.installation.id as number,
    owner: payload.repository.owner.login as string,
    repo: payload.repository.name as string,
    number: payload.pull_request.number as number,
    body: payload.pull_request.body as string,
    headSha: payload.pull_request.head.sha as string,
  };
}

const planFor = (labels: string[], body: string) => classify(prFacts({ labels, body, files: [file('src/auth/login.ts', 40)] }), CONFIG);

describe('emergency override by label', () => {
  const env = redisDeps('emergency');
  const github = testOctokit();
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await env.close();
  });

  /** What the pipeline does with the label: gather its events and labelers, decide the evidence, publish a refusal. */
  async function labelOutcome(pr: ReturnType<typeof prOf>, label: string, plan: ReturnType<typeof planFor>, configVersion?: string) {
    const events = await issueEvents(github, pr, pr.number);
    const labelers = new Map<string, Actor>();
    for (const login of labelersOf(events, label)) labelers.set(login, await resolveActor(login));
    const evidence = labelEvidence(events, label, pr.body, (login) => labelers.get(login)!);
    const refused = await answerLabelRefusal({ ...env.deps, github }, { pr, label, plan, configVersion }, evidence);
    return refused === undefined ? { evidence } : { evidence, refused };
  }

  async function handle(payload: ReturnType<typeof labeledPayload>, events: object[]) {
    const pr = prOf(payload);
    nock(API).get(`/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/events`).query({ per_page: 100 }).reply(200, events);
    const plan = planFor(['emergency'], pr.body);
    const result = await labelOutcome(pr, CONFIG.bypass.emergency.label, plan, 'v1');
    return { pr, plan, result };
  }

  it('bypasses every checkpoint when an allowed labeler gave a justification, and writes nothing to GitHub', async () => {
    const { plan, result } = await handle(labeledPayload(JUSTIFIED), [labelEvent('labeled', 'olive', T_LABEL)]);
    expect(result.refused).toBeUndefined();
    expect(result.evidence).toEqual([{ kind: 'bypass', actor: PEOPLE.olive, justification: 'checkout is down for every EU customer since 09:12', source: 'label', at: T_LABEL }]);
    const evaluation = evaluate(plan, { events: result.evidence }, T_LABEL + 1);
    expect(evaluation.verdict).toEqual({ state: 'pass', summary: 'all checkpoints bypassed' });
    expect(evaluation.bypass?.by).toBe('olive');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('checks the labeler from the issue events, not the webhook sender, and refuses a labeler outside the allowed roles', async () => {
    const comments: string[] = [];
    const payload = labeledPayload(JUSTIFIED, 'olive');
    const pr = prOf(payload);
    nock(API)
      .post(`/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, (body: { body: string }) => (comments.push(body.body), true))
      .reply(201, { id: 1 });
    const { plan, result } = await handle(payload, [labelEvent('labeled', 'mallory', T_LABEL)]);
    expect(result.refused).toBe('@mallory may not bypass (needs on_call_engineer or technical_lead)');
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain('The `emergency` label added by @mallory does not bypass the gate: @mallory may not bypass');
    expect(evaluate(plan, { events: result.evidence }, T_LABEL + 1).verdict.state).toBe('pending');
    const refusals = await env.audit.query({ action: 'command_refused', actor: 'mallory' });
    expect(refusals).toMatchObject([{ repo: `${pr.owner}/${pr.repo}`, pr: pr.number, configVersion: 'v1', details: { kind: 'emergency', via: 'label' } }]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refuses an allowed labeler without a justification, once even when the webhook is redelivered', async () => {
    const payload = labeledPayload('Quick fix, no time to explain');
    const pr = prOf(payload);
    const comments: string[] = [];
    nock(API)
      .post(`/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, (body: { body: string }) => (comments.push(body.body), true))
      .reply(201, { id: 2 });
    const events = [labelEvent('labeled', 'lena', T_LABEL + 5)];
    const first = await handle(payload, events);
    expect(first.result.refused).toBe('an emergency bypass needs a justification of at least 10 characters');
    const again = await handle(payload, events);
    expect(again.result.refused).toBe(first.result.refused);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain('`Emergency: <what is broken and why it cannot wait>`');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('reads every page of the issue events to find who added the label', async () => {
    const payload = labeledPayload(JUSTIFIED);
    const pr = prOf(payload);
    const path = `/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/events`;
    const filler = Array.from({ length: 100 }, (_, i) => ({ id: i, event: 'commented', actor: { login: 'someone' }, created_at: new Date(T_LABEL - 1e6 + i).toISOString() }));
    nock(API)
      .get(path)
      .query({ per_page: 100 })
      .reply(200, filler, { link: `<${API}${path}?per_page=100&page=2>; rel="next", <${API}${path}?per_page=100&page=2>; rel="last"` })
      .get(path)
      .query({ per_page: 100, page: 2 })
      .reply(200, [labelEvent('labeled', 'bug', T_LABEL - 10, 'bug'), labelEvent('labeled', 'lena', T_LABEL)]);
    const plan = planFor(['emergency'], pr.body);
    const result = await labelOutcome(pr, 'emergency', plan);
    expect(result.evidence.map((e) => [e.kind, e.actor.login])).toEqual([['bypass', 'lena']]);
    expect(evaluate(plan, { events: result.evidence }, T_LABEL + 1).verdict.state).toBe('pass');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('restores the gate when the label is removed, also after a /bypass command', async () => {
    const payload = labeledPayload(JUSTIFIED);
    const pr = prOf(payload);
    const command: EvidenceEvent = { kind: 'bypass', actor: PEOPLE.lena!, justification: 'database failover broke login', source: 'command', at: T_LABEL - 60_000 };
    nock(API)
      .get(`/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/events`)
      .query({ per_page: 100 })
      .reply(200, [labelEvent('labeled', 'olive', T_LABEL), labelEvent('unlabeled', 'olive', T_LABEL + 60_000)]);
    const planWithout = planFor([], pr.body);
    const result = await labelOutcome(pr, 'emergency', planWithout);
    expect(result.refused).toBeUndefined();
    // The removed addition no longer counts; the removal still lifts the earlier command's bypass.
    expect(result.evidence.map((e) => e.kind)).toEqual(['unbypass']);
    expect(evaluate(planWithout, { events: [command] }, T_LABEL).verdict.state).toBe('pass');
    expect(evaluate(planWithout, { events: [command, ...result.evidence] }, T_LABEL + 61_000).verdict.state).toBe('pending');
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('the /bypass command path (evidence the gate hands to the engine)', () => {
  const plan = planFor([], '');
  const bypass = (who: Actor, justification: string): EvidenceEvent => ({ kind: 'bypass', actor: who, justification, source: 'command', at: T_LABEL });

  it('bypasses for an allowed role with a justification, and the check says by whom', () => {
    const evaluation = evaluate(plan, { events: [bypass(PEOPLE.olive!, 'payment provider changed its API overnight')] }, T_LABEL + 1);
    expect(evaluation.workflow).toBe('emergency');
    expect(evaluation.items.every((i) => i.status.state === 'bypassed')).toBe(true);
    expect(evaluation.bypass).toMatchObject({ by: 'olive', justification: 'payment provider changed its API overnight' });
  });

  it('ignores a wrong role and a missing justification', () => {
    expect(evaluate(plan, { events: [bypass(PEOPLE.mallory!, 'payment provider changed its API overnight')] }, T_LABEL + 1).verdict.state).toBe('pending');
    expect(evaluate(plan, { events: [bypass(PEOPLE.olive!, 'urgent')] }, T_LABEL + 1).verdict.state).toBe('pending');
  });

  it('ignores a label-sourced bypass once the label is gone', () => {
    const fromLabel: EvidenceEvent = { ...bypass(PEOPLE.olive!, 'payment provider changed its API overnight'), source: 'label' } as EvidenceEvent;
    expect(evaluate(plan, { events: [fromLabel] }, T_LABEL + 1).verdict.state).toBe('pending');
  });
});

describe('justification in the description', () => {
  it('takes the first Emergency: line outside code blocks, in any case', () => {
    expect(justificationFromBody('```\nEmergency: not this one\n```\nemergency:   the real reason  \nEmergency: second')).toBe('the real reason');
    expect(justificationFromBody('Nothing here\r\nEMERGENCY: windows line ending\r\n')).toBe('windows line ending');
  });

  it('finds none in an empty, missing or unrelated description', () => {
    expect(justificationFromBody(null)).toBe('');
    expect(justificationFromBody('Emergency:')).toBe('');
    expect(justificationFromBody('This is an emergency: please merge')).toBe('');
  });
});
