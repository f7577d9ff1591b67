/**
 * The gather step: a per-event read interface to one pull request (in the spirit of policy-bot's
 * `pull.Context`). Each read happens at most once per event, whoever asks; what the caches in
 * src/github already hold costs nothing. Tests use a plain in-memory fake (test/helpers/pull-context.ts).
 */
import type { PrAddress } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import type { LoadedConfig } from '../github/config.js';
import { issueEvents } from '../github/issues.js';
import type { TeamRef } from '../github/people.js';
import type { PullData } from '../github/pulls.js';
import type { Readers } from '../github/readers.js';
import type { IssueEvent } from '../policy/emergency.js';
import type { CommentData, ReviewData } from '../policy/evidence.js';
import type { PatchFingerprint } from '../policy/stale.js';
import type { PatchRecords } from './state.js';
import type { Actor, ChangedFile, PrFacts } from '../policy/types.js';

export interface PullContext {
  readonly address: PrAddress;
  /** The pull request as GitHub has it now. */
  pull(): Promise<PullData>;
  /** `.hitl.yml` at `ref` (the base branch, never the head) over the org's defaults; unreadable is an error result. */
  config(ref: string): Promise<LoadedConfig>;
  files(pull: PullData): Promise<ChangedFile[]>;
  /** Who authored or committed the pull request's commits at its head, lower-cased. */
  commitLogins(pull: PullData): Promise<string[]>;
  reviews(): Promise<ReviewData[]>;
  comments(): Promise<CommentData[]>;
  /** A person's permission and membership of `teams` (the teams the plan names). */
  actor(login: string, isBot: boolean, teams: readonly TeamRef[]): Promise<Actor>;
  /** Every issue event of the pull request (who added and removed labels). */
  labelEvents(): Promise<IssueEvent[]>;
  /** The patch fingerprints recorded in Redis of these heads (no GitHub call); heads without one are left out. */
  recordedPatches(heads: readonly string[]): Promise<Map<string, PatchFingerprint>>;
  /** `.hitl.yml` as the pull request's head `commit` proposes it, for its policy-diff only (never to judge it). */
  proposedConfig(commit: string): Promise<LoadedConfig>;
  /** The repository's open pull requests as their last evaluations classified them (this one included); undefined when unknown. */
  openPulls(): Promise<PrFacts[] | undefined>;
}

/** Each read once: a second call returns the first call's promise. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= read());
}

export class GitHubPullContext implements PullContext {
  private readonly actors = new Map<string, Promise<Actor>>();
  private readonly configs = new Map<string, Promise<LoadedConfig>>();
  private readonly proposals = new Map<string, Promise<LoadedConfig>>();

  constructor(
    readonly address: PrAddress,
    private readonly github: GitHubClient,
    private readonly readers: Pick<Readers, 'config' | 'pulls' | 'people' | 'openPulls'>,
    private readonly patches: PatchRecords,
  ) {}

  readonly pull = once(() => this.readers.pulls.pull(this.github, this.address, this.address.number));
  readonly reviews = once(() => this.readers.pulls.reviews(this.github, this.address, this.address.number));
  readonly comments = once(() => this.readers.pulls.comments(this.github, this.address, this.address.number));
  readonly labelEvents = once(() => issueEvents(this.github, this.address, this.address.number));
  readonly openPulls = once(() => this.readers.openPulls.ofRepository(this.address));
  private filesOf: { key: string; files: Promise<ChangedFile[]> } | undefined;

  config(ref: string): Promise<LoadedConfig> {
    return this.memo(this.configs, ref, () => this.readers.config.load(this.github, this.address.owner, this.address.repo, ref));
  }

  proposedConfig(commit: string): Promise<LoadedConfig> {
    return this.memo(this.proposals, commit, () => this.readers.config.proposed(this.github, this.address.owner, this.address.repo, commit));
  }

  files(pull: PullData): Promise<ChangedFile[]> {
    const key = `${pull.headSha}..${pull.baseSha}`;
    if (this.filesOf?.key !== key) this.filesOf = { key, files: this.readers.pulls.files(this.github, this.address, pull) };
    return this.filesOf.files;
  }

  commitLogins(pull: PullData): Promise<string[]> {
    return this.readers.pulls.commitLogins(this.github, this.address, pull);
  }

  recordedPatches(heads: readonly string[]): Promise<Map<string, PatchFingerprint>> {
    return this.patches.get(this.address, heads);
  }

  actor(login: string, isBot: boolean, teams: readonly TeamRef[]): Promise<Actor> {
    const key = `${isBot}:${login.toLowerCase()}:${teams.map((t) => `${t.org}/${t.slug}`).join(',')}`;
    return this.memo(this.actors, key, () => this.readers.people.actor(this.github, this.address, login, isBot, teams));
  }

  private memo<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = read()));
    return value;
  }
}
