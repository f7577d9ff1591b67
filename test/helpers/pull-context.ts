/**
 * A plain in-memory PullContext (src/pipeline/gather.ts) for pipeline tests: it answers from the
 * facts it was given and lists every read, so a test can say what an evaluation asked for.
 */
import { loadConfig } from '../../src/config/load.js';
import type { PrAddress } from '../../src/github/address.js';
import type { LoadedConfig } from '../../src/github/config.js';
import type { TeamRef } from '../../src/github/people.js';
import { toPullData, type PullData } from '../../src/github/pulls.js';
import type { PullContext } from '../../src/pipeline/gather.js';
import type { IssueEvent } from '../../src/policy/emergency.js';
import type { CommentData, ReviewData } from '../../src/policy/evidence.js';
import type { PatchFingerprint } from '../../src/policy/stale.js';
import type { Actor, ChangedFile, PrFacts } from '../../src/policy/types.js';
import { actor } from './facts.js';
import { examplePayload, INSTALLATION_ID, OWNER, pullObject, REPO, type PullShape } from './webhooks.js';

export interface PullFacts {
  pull: PullData;
  /** The base branch's `.hitl.yml` (the built-in policy when absent). */
  config?: string;
  files?: ChangedFile[];
  reviews?: ReviewData[];
  comments?: CommentData[];
  /** People by login; anyone else has no permission and no team. */
  people?: Record<string, Actor>;
  labelEvents?: IssueEvent[];
  /** Authors and committers of the head's commits. */
  commitLogins?: string[];
  /** Patch fingerprints recorded of earlier heads, by head SHA. */
  patches?: Record<string, PatchFingerprint>;
  /** `.hitl.yml` at the head, for a pull request that changes it (the built-in policy when absent). */
  proposedConfig?: string;
  /** The open pull requests' stored facts (undefined: Redis could not say). */
  openPulls?: PrFacts[];
}

export class FakePullContext implements PullContext {
  readonly reads: string[] = [];
  readonly address: PrAddress;

  constructor(readonly facts: PullFacts) {
    this.address = { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number: facts.pull.number };
  }

  async pull(): Promise<PullData> {
    this.reads.push('pull');
    return this.facts.pull;
  }

  async config(ref: string): Promise<LoadedConfig> {
    this.reads.push(`config@${ref}`);
    return { result: loadConfig({ repository: this.facts.config }), version: this.facts.config === undefined ? 'built-in' : 'repo@fake' };
  }

  async files(): Promise<ChangedFile[]> {
    this.reads.push('files');
    return this.facts.files ?? [];
  }

  async reviews(): Promise<ReviewData[]> {
    this.reads.push('reviews');
    return this.facts.reviews ?? [];
  }

  async comments(): Promise<CommentData[]> {
    this.reads.push('comments');
    return this.facts.comments ?? [];
  }

  async commitLogins(): Promise<string[]> {
    this.reads.push('commitLogins');
    return this.facts.commitLogins ?? [];
  }

  async actor(login: string, isBot: boolean, _teams: readonly TeamRef[]): Promise<Actor> {
    this.reads.push(`actor:${login}`);
    return { ...(this.facts.people?.[login] ?? actor(login, 'none')), isBot };
  }

  async recordedPatches(heads: readonly string[]): Promise<Map<string, PatchFingerprint>> {
    return new Map(heads.flatMap((sha) => (this.facts.patches?.[sha] ? [[sha, this.facts.patches[sha]] as const] : [])));
  }

  async labelEvents(): Promise<IssueEvent[]> {
    this.reads.push('labelEvents');
    return this.facts.labelEvents ?? [];
  }

  async proposedConfig(commit: string): Promise<LoadedConfig> {
    this.reads.push(`proposedConfig@${commit}`);
    return { result: loadConfig({ repository: this.facts.proposedConfig }), version: this.facts.proposedConfig === undefined ? 'built-in' : 'repo@proposed' };
  }

  async openPulls(): Promise<PrFacts[] | undefined> {
    this.reads.push('openPulls');
    return this.facts.openPulls;
  }
}

/** A pull request of acme/widgets as the gate reads it, shaped like the webhook examples. */
export const pullData = (shape: PullShape = {}): PullData => toPullData(pullObject(examplePayload('pull_request', 'opened').pull_request, shape));
