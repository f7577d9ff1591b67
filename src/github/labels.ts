/**
 * Labels: the workflow label of a pull request (put on, stale ones taken off, each label created
 * with its colour once per repository) and plain additions (escalation's label).
 */
import { repoKey, repoOf, type RepoRef } from './address.js';
import { DAY, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';

const KNOWN_LABELS_TTL_MS = 30 * DAY;

const LABEL_COLOURS: Record<string, string> = {
  'hitl:automatic': '0e8a16',
  'hitl:peer-review': 'fbca04',
  'hitl:expert-review': 'd93f0b',
  'hitl:emergency': 'b60205',
};

export class LabelWriter {
  constructor(private readonly cache: Cache) {}

  /** Puts the workflow label on and takes stale `hitl:` workflow labels off. */
  async syncWorkflowLabel(gh: GitHubClient, at: RepoRef, pr: { number: number; labels: readonly string[] }, wanted: string): Promise<void> {
    const stale = pr.labels.filter((l) => l in LABEL_COLOURS && l !== wanted);
    if (!pr.labels.includes(wanted)) {
      await this.ensureLabel(gh, at, wanted);
      await addLabels(gh, at, pr.number, [wanted]);
    }
    for (const name of stale) {
      try {
        await gh.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', { ...repoOf(at), issue_number: pr.number, name });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error; // 404: already off (the payload's labels were older than GitHub's)
      }
    }
  }

  /** Creates the label with its colour once per repository (remembered in Redis). */
  private async ensureLabel(gh: GitHubClient, at: RepoRef, name: string): Promise<void> {
    const known = this.cache.key('labels', repoKey(at));
    if ((await this.cache.members(known))?.includes(name)) return;
    try {
      await gh.request('POST /repos/{owner}/{repo}/labels', { ...repoOf(at), name, color: LABEL_COLOURS[name] ?? 'ededed', description: 'HITL workflow' });
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error; // 422: it exists already
    }
    await this.cache.addMembers(known, KNOWN_LABELS_TTL_MS, name);
  }
}

/** Adds labels to an issue or pull request (GitHub keeps one of each). */
export async function addLabels(gh: GitHubClient, at: RepoRef, number: number, labels: string[]): Promise<void> {
  await gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { ...repoOf(at), issue_number: number, labels });
}
