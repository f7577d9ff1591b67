/**
 * The one GitHub client type of the app, and the one place that makes an installation's client
 * fit for use: authenticated (Probot), writes spaced and failures retried (transport.ts), and,
 * for a webhook, every request counted (counter.ts). Every GitHub call of the app goes through
 * a client from here and through the readers and writers of this folder.
 */
import type { Redis } from 'ioredis';
import type { Probot, ProbotOctokit } from 'probot';
import { countRequests, type CallCounter } from './counter.js';
import { harden } from './transport.js';

/** An installation's Octokit as Probot builds it (`context.octokit`, `app.auth(id)`). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export interface ClientSettings {
  redis: Redis;
  /** Key prefix of the write-spacing slots in Redis. */
  prefix: string;
  /** Space each installation's writes through Redis across processes (production: true). */
  spaceWrites?: boolean;
}

type Warn = (message: string) => void;

export class InstallationClients {
  private probot: Probot | undefined;

  constructor(private readonly settings: ClientSettings) {}

  /** Probot's app, once it loaded HITL: it authenticates as an installation. */
  attach(probot: Probot): void {
    this.probot = probot;
  }

  /** An installation's client for work outside a webhook (escalation timers, window summaries). */
  async installationClient(installationId: number): Promise<GitHubClient> {
    const probot = this.probot;
    if (!probot) throw new Error('the HITL app is not loaded yet');
    return this.prepare(await probot.auth(installationId), installationId, (message) => probot.log.warn(message));
  }

  /** The client Probot made for a webhook (it carries the delivery id), its requests counted into `counter`. */
  forEvent(client: GitHubClient, installationId: number, counter: CallCounter, warn: Warn): GitHubClient {
    // The counter wraps first, so the transport's retries are each counted.
    countRequests(client, counter);
    return this.prepare(client, installationId, warn);
  }

  private prepare(client: GitHubClient, installationId: number, warn: Warn): GitHubClient {
    harden(client, { ...this.settings, installationId, log: warn });
    return client;
  }
}
