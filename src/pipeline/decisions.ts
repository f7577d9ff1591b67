/**
 * What a pull request's gate must remember beyond its comments (product.md §4), in one Redis hash
 * per PR: each accepted /reject and /hold as it was made (who, when, the comment, the maker's
 * standing), so that editing or deleting the comment lifts nothing, and who pushed to the PR
 * (`synchronize`'s sender), who may never approve. Read once per evaluation; when Redis cannot
 * say, the caller gets undefined and the gate waits.
 */
import { repoKey, type PrAddress } from '../github/address.js';
import { DAY, type Cache } from '../github/cache.js';
import type { RecordedDecision } from '../policy/evidence.js';

/** Kept a year after the last write: decisions outlive any open pull request's review. */
const RECORD_TTL_MS = 365 * DAY;
const DECISION = 'decision:';
const PUSHER = 'pusher:';

export interface PrRecord {
  decisions: RecordedDecision[];
  /** Lower-cased logins. */
  pushers: string[];
}

export class PrDecisions {
  constructor(private readonly cache: Cache) {}

  private key(pr: PrAddress): string {
    return this.cache.key('decisions', repoKey(pr), pr.number);
  }

  /** The PR's record; undefined when Redis could not say (unknown is not empty). */
  async read(pr: PrAddress): Promise<PrRecord | undefined> {
    const fields = await this.cache.hashFields(this.key(pr));
    if (fields === undefined) return undefined;
    const record: PrRecord = { decisions: [], pushers: [] };
    for (const [field, value] of Object.entries(fields)) {
      if (field.startsWith(DECISION)) record.decisions.push(JSON.parse(value) as RecordedDecision);
      else if (field.startsWith(PUSHER)) record.pushers.push(field.slice(PUSHER.length));
    }
    return record;
  }

  /**
   * Records accepted decisions. While Redis is away nothing is written (and the gate waits, as its
   * reads fail too); the next evaluation records them from their comments.
   */
  async record(pr: PrAddress, decisions: readonly RecordedDecision[]): Promise<void> {
    for (const decision of decisions) await this.cache.setHashField(this.key(pr), `${DECISION}${decision.key}`, JSON.stringify(decision), RECORD_TTL_MS);
  }

  async addPusher(pr: PrAddress, login: string, at: number): Promise<void> {
    await this.cache.setHashField(this.key(pr), `${PUSHER}${login.toLowerCase()}`, String(at), RECORD_TTL_MS);
  }
}
