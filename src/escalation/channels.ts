/**
 * The server's notification channels beside GitHub mentions: a Slack incoming webhook and a
 * generic JSON webhook signed like GitHub's (HMAC-SHA256 of the raw body). Addresses and secret
 * come from the server's environment only; a repository's `notify` merely picks channels. Each
 * attempt has a timeout and a few retries with backoff; a channel never throws, so one dead
 * receiver cannot hold up the other channel or the level's GitHub actions. Addresses are never logged.
 */
import { createHmac } from 'node:crypto';
import type { Log } from './log.js';

export type ChannelName = 'slack' | 'webhook';

export interface ChannelSettings {
  slackWebhookUrl?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Per attempt; default 5 s. */
  timeoutMs?: number;
  /** Further attempts after the first; default 2. */
  retries?: number;
  /** First backoff, doubled each retry; default 500 ms. */
  backoffMs?: number;
}

export function channelsFromEnv(env: NodeJS.ProcessEnv = process.env): ChannelSettings {
  return { slackWebhookUrl: env.SLACK_WEBHOOK_URL || undefined, webhookUrl: env.HITL_WEBHOOK_URL || undefined, webhookSecret: env.HITL_WEBHOOK_SECRET || undefined };
}

/** What a level tells the channels: a line for humans, and the facts for machines. */
export interface ChannelMessage {
  text: string;
  event: Record<string, string | number | boolean | string[]>;
}

export type ChannelOutcome = { channel: ChannelName; ok: true; attempts: number } | { channel: ChannelName; ok: false; attempts: number; error: string };

export const SIGNATURE_HEADER = 'X-HITL-Signature-256';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function notifyChannels(settings: ChannelSettings, chosen: ChannelName[], message: ChannelMessage, log: Log): Promise<ChannelOutcome[]> {
  const outcomes = await Promise.all([...new Set(chosen)].map((channel) => sendTo(channel, settings, message)));
  for (const outcome of outcomes) if (!outcome.ok) log.warn(`escalation channel ${outcome.channel} failed after ${outcome.attempts} attempt(s): ${outcome.error}`);
  return outcomes;
}

function sendTo(channel: ChannelName, settings: ChannelSettings, message: ChannelMessage): Promise<ChannelOutcome> {
  if (channel === 'slack') {
    if (!settings.slackWebhookUrl) return Promise.resolve({ channel, ok: false, attempts: 0, error: 'SLACK_WEBHOOK_URL is not set on the server' });
    return post(channel, settings, settings.slackWebhookUrl, JSON.stringify({ text: message.text }), {});
  }
  if (!settings.webhookUrl) return Promise.resolve({ channel, ok: false, attempts: 0, error: 'HITL_WEBHOOK_URL is not set on the server' });
  // Fail closed: an unsigned body would let anyone forge escalations to the receiver.
  if (!settings.webhookSecret) return Promise.resolve({ channel, ok: false, attempts: 0, error: 'HITL_WEBHOOK_SECRET is not set on the server' });
  const body = JSON.stringify({ text: message.text, ...message.event });
  return post(channel, settings, settings.webhookUrl, body, { [SIGNATURE_HEADER]: signBody(settings.webhookSecret, body) });
}

async function post(channel: ChannelName, settings: ChannelSettings, url: string, body: string, headers: Record<string, string>): Promise<ChannelOutcome> {
  const attempts = 1 + (settings.retries ?? 2);
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep((settings.backoffMs ?? 500) * 2 ** (attempt - 2));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'hitl-escalation', ...headers },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs ?? 5_000),
      });
      await response.arrayBuffer();
      if (response.ok) return { channel, ok: true, attempts: attempt };
      error = `HTTP ${response.status}`;
      // A 4xx other than 429 will not get better by retrying.
      if (response.status < 500 && response.status !== 429) return { channel, ok: false, attempts: attempt, error };
    } catch (caught) {
      // The message of a fetch error may carry the address: keep only its kind.
      error = caught instanceof Error ? caught.name : 'error';
    }
  }
  return { channel, ok: false, attempts, error };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
