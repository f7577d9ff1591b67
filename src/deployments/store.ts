/**
 * What must outlive a webhook: deployments waiting for a human (their callback, so that a
 * later `/approve deploy` can answer GitHub) and open rollback checkpoints (so that a
 * redelivered dispatch opens no second issue and a decision is sent back once).
 */
import type { Redis } from 'ioredis';
import type { PrGate } from '../policy/deployment.js';
import type { RollbackCheckpoint } from '../policy/rollback.js';

/** GitHub lets a deployment wait on a protection rule for 30 days. */
const PENDING_TTL_SECONDS = 30 * 24 * 3600;
/** Rollback records stay long enough to answer a late redelivery or a late comment. */
const ROLLBACK_TTL_SECONDS = 90 * 24 * 3600;

export interface PendingDeployment {
  runId: number;
  environment: string;
  sha: string;
  deploymentId?: number;
  prs: PrGate[];
  requestedAt: number;
}

const pendingField = (p: Pick<PendingDeployment, 'runId' | 'environment'>) => `${p.runId}:${p.environment}`;

function parseJson<T>(text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a value this module did not write: treated as absent
  }
}

export class PendingDeployments {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hitl:deploy:',
  ) {}

  private key(repo: string, pr: number): string {
    return `${this.prefix}pending:${repo}#${pr}`;
  }

  /** True when the deployment was not waiting yet (a redelivery returns false). */
  async add(repo: string, pr: number, pending: PendingDeployment): Promise<boolean> {
    const key = this.key(repo, pr);
    const added = await this.redis.hsetnx(key, pendingField(pending), JSON.stringify(pending));
    await this.redis.expire(key, PENDING_TTL_SECONDS);
    return added === 1;
  }

  async list(repo: string, pr: number): Promise<PendingDeployment[]> {
    const values = Object.values(await this.redis.hgetall(this.key(repo, pr)));
    return values.flatMap((value) => parseJson<PendingDeployment>(value) ?? []).sort((a, b) => a.requestedAt - b.requestedAt);
  }

  /** Removes a waiting deployment; only the caller that gets true may answer it. */
  async take(repo: string, pr: number, pending: PendingDeployment): Promise<boolean> {
    return (await this.redis.hdel(this.key(repo, pr), pendingField(pending))) === 1;
  }
}

export interface RollbackRecord<Request = unknown> {
  dispatchId: string;
  issueNumber: number;
  issueUrl: string;
  request: Request;
  /** Who sent the dispatch: never counts as an approver of it. */
  requester: string;
  checkpoint: RollbackCheckpoint;
  openedAt: number;
  mentions: string[];
}

export class RollbackRecords {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hitl:rollback:',
  ) {}

  private key(repo: string, kind: 'dispatch' | 'issue' | 'approvals' | 'decided', id: string | number): string {
    return `${this.prefix}${kind}:${repo}:${id}`;
  }

  /** True for the first delivery of a dispatch id; every later delivery gets false. */
  async claimDispatch(repo: string, dispatchId: string): Promise<boolean> {
    const claimed = await this.redis.set(this.key(repo, 'dispatch', dispatchId), 'opening', 'EX', ROLLBACK_TTL_SECONDS, 'NX');
    return claimed === 'OK';
  }

  /** Gives a claimed dispatch id back when its issue could not be opened. */
  async releaseDispatch(repo: string, dispatchId: string): Promise<void> {
    await this.redis.del(this.key(repo, 'dispatch', dispatchId));
  }

  async save(repo: string, record: RollbackRecord): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(repo, 'dispatch', record.dispatchId), String(record.issueNumber), 'EX', ROLLBACK_TTL_SECONDS)
      .set(this.key(repo, 'issue', record.issueNumber), JSON.stringify(record), 'EX', ROLLBACK_TTL_SECONDS)
      .exec();
  }

  async byIssue<Request>(repo: string, issueNumber: number): Promise<RollbackRecord<Request> | undefined> {
    return parseJson<RollbackRecord<Request>>(await this.redis.get(this.key(repo, 'issue', issueNumber)));
  }

  async isDecided(repo: string, issueNumber: number): Promise<boolean> {
    return (await this.redis.exists(this.key(repo, 'decided', issueNumber))) === 1;
  }

  /** Records an approval; returns the distinct approvers so far. */
  async addApproval(repo: string, issueNumber: number, login: string): Promise<number> {
    const key = this.key(repo, 'approvals', issueNumber);
    const [, count] = (await this.redis.multi().sadd(key, login.toLowerCase()).scard(key).expire(key, ROLLBACK_TTL_SECONDS).exec()) ?? [];
    return Number(count?.[1] ?? 0);
  }

  /** True for the one caller that may send the decision back; concurrent deciders get false. */
  async claimDecision(repo: string, issueNumber: number, state: 'approved' | 'rejected'): Promise<boolean> {
    return (await this.redis.set(this.key(repo, 'decided', issueNumber), state, 'EX', ROLLBACK_TTL_SECONDS, 'NX')) === 'OK';
  }
}
