/**
 * Where the pipeline keeps each pull request's PrState between events (Redis, 30 days), the key of
 * its lock, and the patch fingerprint of each head it evaluated (policy/stale.ts).
 */
import { repoKey, type PrAddress } from '../github/address.js';
import { DAY, type Cache } from '../github/cache.js';
import type { PrState } from '../policy/decide.js';
import type { PatchFingerprint } from '../policy/stale.js';

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

/**
 * Patch fingerprints per pull request per head, kept as long as PR states: what an approval of
 * that head approved. Lost (Redis flushed) means unknown, and policy/stale.ts fails closed.
 */
export class PatchRecords {
  constructor(private readonly cache: Cache) {}

  private key(pr: PrAddress, headSha: string): string {
    return this.cache.key('patches', repoKey(pr), pr.number, headSha);
  }

  /** The recorded fingerprints of these heads, one Redis round trip; heads without one are left out. */
  async get(pr: PrAddress, heads: readonly string[]): Promise<Map<string, PatchFingerprint>> {
    const found = new Map<string, PatchFingerprint>();
    if (heads.length === 0) return found;
    const texts = await this.cache.getTexts(heads.map((sha) => this.key(pr, sha)));
    heads.forEach((sha, i) => {
      const text = texts[i];
      if (text !== undefined) found.set(sha, JSON.parse(text) as PatchFingerprint);
    });
    return found;
  }

  set(pr: PrAddress, headSha: string, fingerprint: PatchFingerprint): Promise<void> {
    return this.cache.setJson(this.key(pr, headSha), fingerprint, STATE_TTL_MS);
  }
}
