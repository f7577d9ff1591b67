/**
 * What each open pull request's last evaluation classified (files, sizes, labels, title, base),
 * kept per repository in one Redis hash so that a pull request changing `.hitl.yml` can show
 * which others the new file would gate differently without reading them from GitHub again. An
 * entry is written at each evaluation and dropped when its PR closes or merges.
 */
import { repoKey, type PrAddress, type RepoRef } from './address.js';
import { DAY, type Cache } from './cache.js';
import { TITLE_LIMIT } from '../policy/classify.js';
import type { PrFacts } from '../policy/types.js';

/** As long as a PR's stored state: a repository where nothing was evaluated for that long keeps no facts. */
const FACTS_TTL_MS = 30 * DAY;

/** A changed file as [path, additions, deletions] or, renamed, [path, additions, deletions, previous path]. */
type StoredFile = [string, number, number] | [string, number, number, string];

/** Only what classification reads; compact because a PR may list 3,000 files. */
interface StoredFacts {
  title: string;
  baseRef: string;
  labels: string[];
  revert: boolean;
  /** changed files, additions, deletions as GitHub totals them */
  totals: [number, number, number];
  files: StoredFile[];
}

function stored(facts: PrFacts): StoredFacts {
  return {
    title: facts.title.slice(0, TITLE_LIMIT),
    baseRef: facts.baseRef,
    labels: facts.labels,
    revert: facts.isRevert,
    totals: [facts.changedFiles, facts.additions, facts.deletions],
    files: facts.files.map((f): StoredFile => (f.previousPath === undefined ? [f.path, f.additions, f.deletions] : [f.path, f.additions, f.deletions, f.previousPath])),
  };
}

/** Back to PrFacts; what classification does not read (author, body, head, start) is left blank. */
function factsOf(number: number, s: StoredFacts): PrFacts {
  return {
    number,
    title: s.title,
    body: '',
    author: '',
    authorIsBot: false,
    baseRef: s.baseRef,
    headSha: '',
    draft: false,
    labels: s.labels,
    files: s.files.map(([path, additions, deletions, previousPath]) => ({ path, additions, deletions, ...(previousPath === undefined ? {} : { previousPath }) })),
    changedFiles: s.totals[0],
    additions: s.totals[1],
    deletions: s.totals[2],
    isRevert: s.revert,
    startedAt: 0,
  };
}

export class OpenPullFacts {
  constructor(private readonly cache: Cache) {}

  private key(repo: RepoRef): string {
    return this.cache.key('open-pulls', repoKey(repo));
  }

  record(pr: PrAddress, facts: PrFacts): Promise<void> {
    return this.cache.setHashField(this.key(pr), String(pr.number), JSON.stringify(stored(facts)), FACTS_TTL_MS);
  }

  forget(pr: PrAddress): Promise<void> {
    return this.cache.deleteHashField(this.key(pr), String(pr.number));
  }

  /** Every open pull request's facts as last evaluated, or undefined when Redis cannot say. */
  async ofRepository(repo: RepoRef): Promise<PrFacts[] | undefined> {
    const fields = await this.cache.hashFields(this.key(repo));
    return fields && Object.entries(fields).map(([number, text]) => factsOf(Number(number), JSON.parse(text) as StoredFacts));
  }
}
