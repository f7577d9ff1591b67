/** Where the pipeline keeps each pull request's PrState between events (Redis, 30 days) and the key of its lock. */
import { repoKey, type PrAddress } from '../github/address.js';
import { DAY, type Cache } from '../github/cache.js';
import type { PrState } from '../policy/decide.js';

const STATE_TTL_MS = 30 * DAY;

export class PrStates {
  constructor(private readonly cache: Cache) {}

  key(pr: PrAddress): string {
    return this.cache.key('pr', repoKey(pr), pr.number);
  }

  /** Undefined when nothing is stored (a first evaluation) or Redis cannot say. */
  get(pr: PrAddress): Promise<PrState | undefined> {
    return this.cache.getJson<PrState>(this.key(pr));
  }

  set(pr: PrAddress, state: PrState): Promise<void> {
    return this.cache.setJson(this.key(pr), state, STATE_TTL_MS);
  }
}
