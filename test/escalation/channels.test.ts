import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { SIGNATURE_HEADER, notifyChannels } from '../../src/escalation/channels.js';
import type { EscalationEngine } from '../../src/escalation/engine.js';
import { silentLog } from '../../src/escalation/log.js';
import { FakeGate, diagnostics, dropPrefix, ensureInput, fakeGitHub, startEngine, target, testPrefix, waitFor, type GitHubCall } from './harness.js';

interface Received {
  path: string;
  signature: string | undefined;
  body: string;
}

/** A loopback receiver answering `status` (a number, or a function of the attempt). */
async function receiver(status: (attempt: number) => number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, body });
      res.statusCode = status(received.length);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/** An address nothing listens on: a server started and stopped again. */
async function deadAddress(): Promise<string> {
  const { url, server } = await receiver(() => 200);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

const SECRET = 'loopback-secret';
/** Computed here, as a receiver would, not with the code under test. */
const expectedSignature = (body: string): string => `sha256=${createHmac('sha256', SECRET).update(body, 'utf8').digest('hex')}`;
const message = { text: 'HITL level 3', event: { type: 'escalation', level: 3, item: 'security_review' } };

describe('notification channels', () => {
  const servers: Server[] = [];
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('posts a JSON body signed with HMAC-SHA256 of the raw body, and Slack text', async () => {
    const hook = await receiver(() => 200);
    const slack = await receiver(() => 200);
    servers.push(hook.server, slack.server);
    const outcomes = await notifyChannels(
      { webhookUrl: `${hook.url}/hitl`, webhookSecret: SECRET, slackWebhookUrl: `${slack.url}/services/T/B/X` },
      ['webhook', 'slack'],
      message,
      silentLog,
    );

    expect(outcomes).toEqual([
      { channel: 'webhook', ok: true, attempts: 1 },
      { channel: 'slack', ok: true, attempts: 1 },
    ]);
    const [delivery] = hook.received;
    expect(delivery!.signature).toBe(expectedSignature(delivery!.body));
    expect(delivery!.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(delivery!.body)).toEqual({ text: 'HITL level 3', type: 'escalation', level: 3, item: 'security_review' });
    expect(JSON.parse(slack.received[0]!.body)).toEqual({ text: 'HITL level 3' });
  });

  it('retries a 5xx with backoff and gives up on a 4xx at once', async () => {
    const flaky = await receiver((attempt) => (attempt < 3 ? 503 : 200));
    const refusing = await receiver(() => 404);
    servers.push(flaky.server, refusing.server);
    const settings = { webhookUrl: flaky.url, webhookSecret: SECRET, slackWebhookUrl: refusing.url, retries: 3, backoffMs: 10 };
    const outcomes = await notifyChannels(settings, ['webhook', 'slack'], message, silentLog);

    expect(outcomes).toEqual([
      { channel: 'webhook', ok: true, attempts: 3 },
      { channel: 'slack', ok: false, attempts: 1, error: 'HTTP 404' },
    ]);
  });

  it('refuses to send the webhook unsigned and never logs an address', async () => {
    const logged: string[] = [];
    const log = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
    const dead = await deadAddress();
    const outcomes = await notifyChannels({ webhookUrl: 'http://127.0.0.1:9/secret-path', slackWebhookUrl: `${dead}/secret-path`, retries: 1, backoffMs: 5 }, ['webhook', 'slack'], message, log);

    expect(outcomes.map((o) => [o.channel, o.ok, o.attempts])).toEqual([
      ['webhook', false, 0],
      ['slack', false, 2],
    ]);
    expect(logged).toHaveLength(2);
    expect(logged.join('\n')).not.toContain('secret-path');
    expect(logged.join('\n')).not.toContain('127.0.0.1');
  });
});

describe('channels inside the escalation ladder', () => {
  let prefix: string;
  let engine: EscalationEngine | undefined;
  let calls: GitHubCall[];
  const servers: Server[] = [];

  beforeEach(() => {
    prefix = testPrefix();
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    calls = fakeGitHub({ leads: ['lena'] });
  });
  afterEach(async () => {
    await engine?.close();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    nock.cleanAll();
    nock.enableNetConnect();
    await dropPrefix(prefix);
  });

  it('lets a signed level-3 event reach the receiver and a dead Slack not stop level 3 from commenting', async () => {
    const hook = await receiver(() => 200);
    servers.push(hook.server);
    const gate = new FakeGate();
    gate.set(target, diagnostics);
    engine = await startEngine(prefix, gate, new MemoryAuditSink(), {
      channels: { webhookUrl: hook.url, webhookSecret: SECRET, slackWebhookUrl: await deadAddress(), retries: 1, backoffMs: 10, timeoutMs: 500 },
    });
    await engine.ensure(ensureInput([3_600_000, 3_600_000, 3_600_000, 3_600_000], 3_600_000, { notify: { channels: ['slack', 'webhook'], fromLevel: 3 } }));
    await engine.escalateNow(target, 'dana', 'test');
    await waitFor(() => calls.some((c) => c.path.endsWith('/requested_reviewers')), 'level 1');
    await engine.escalateNow(target, 'dana', 'test');
    await waitFor(() => calls.filter((c) => c.path.endsWith('/issues/7/comments')).length === 1, 'level 2');
    expect(hook.received).toEqual([]); // below notify.from_level
    await engine.escalateNow(target, 'dana', 'test');
    await waitFor(() => calls.some((c) => c.path.endsWith('/labels')) && hook.received.length === 1, 'level 3');

    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/issues/7/comments'))[1]?.body?.body).toContain('@acme/leads');
    const [delivery] = hook.received;
    expect(delivery!.signature).toBe(expectedSignature(delivery!.body));
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: 'escalation', level: 3, repository: 'acme/widgets', number: 7, item: 'security_review' });
  });
});
