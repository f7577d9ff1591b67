/**
 * Everything the gate writes to GitHub, each compared first with what is already there:
 * check runs (created once per head SHA and name, then updated only when their output
 * changed), the workflow label, reviewer requests, reactions and replies.
 */
import { createHash } from 'node:crypto';
import { DAY, type Cache } from './cache.js';
import type { Octokit } from './counter.js';
import type { PullData, RepoRef } from './pulls.js';

/** GitHub takes at most this many annotations per check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
export const AGGREGATE_CHECK = 'hitl';
const CHECK_RECORD_TTL_MS = 30 * DAY;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
}

export interface CheckOutput {
  name: string;
  status: 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  annotations?: Annotation[];
}

interface CheckRecord {
  id: number;
  /** Hash of the output last posted; empty when the run was found on GitHub, not posted by us. */
  hash: string;
}

/**
 * What Redis holds per check name: a run we know, or a create that was started and never
 * recorded (the process died, or its answer was lost), after which GitHub may hold a run we do
 * not know of.
 */
type StoredCheck = CheckRecord | { creating: true };

const LABEL_COLOURS: Record<string, string> = {
  'hitl:automatic': '0e8a16',
  'hitl:peer-review': 'fbca04',
  'hitl:expert-review': 'd93f0b',
  'hitl:emergency': 'b60205',
};

const hashOf = (output: CheckOutput) => createHash('sha256').update(JSON.stringify(output)).digest('hex');
const repoKey = (ref: RepoRef) => `${ref.owner}/${ref.repo}`.toLowerCase();
const isOurCheck = (name: string) => name === AGGREGATE_CHECK || name.startsWith(`${AGGREGATE_CHECK}/`);

export class GitHubWriter {
  constructor(private readonly cache: Cache) {}

  /**
   * Posts each output on `sha` unless the same output is already there. Checkpoint checks of
   * this SHA that are no longer wanted are retired as neutral. `mayExist` says whether runs
   * could exist that Redis does not know of (never the case for a head SHA first seen now).
   */
  async syncChecks(octokit: Octokit, ref: RepoRef, sha: string, outputs: CheckOutput[], mayExist: boolean): Promise<void> {
    const key = this.cache.key('checks', repoKey(ref), sha);
    const stored = await this.cache.hashFields(key);
    const records = new Map<string, CheckRecord>();
    // Unknown (Redis unavailable) or an unfinished create: GitHub is asked which runs exist.
    let unsure = stored === undefined;
    for (const [name, json] of Object.entries(stored ?? {})) {
      const record = JSON.parse(json) as StoredCheck;
      if ('id' in record) records.set(name, record);
      else unsure = true;
    }
    if ((records.size === 0 && mayExist) || unsure) {
      for (const [name, id] of await this.existingChecks(octokit, ref, sha)) if (!records.has(name)) records.set(name, { id, hash: '' });
    }
    const wanted = new Set(outputs.map((o) => o.name));
    const retired = [...records.keys()]
      .filter((name) => name !== AGGREGATE_CHECK && !wanted.has(name))
      .map((name): CheckOutput => ({ name, status: 'completed', conclusion: 'neutral', title: 'No longer required for this pull request', summary: 'This checkpoint is no longer active.' }));
    for (const output of [...outputs, ...retired]) {
      const hash = hashOf(output);
      const record = records.get(output.name);
      if (record?.hash === hash) continue;
      if (!record) await this.cache.setHashField(key, output.name, JSON.stringify({ creating: true } satisfies StoredCheck), CHECK_RECORD_TTL_MS);
      const id = await this.postCheck(octokit, ref, sha, output, record?.id);
      await this.cache.setHashField(key, output.name, JSON.stringify({ id, hash } satisfies StoredCheck), CHECK_RECORD_TTL_MS);
    }
  }

  private async existingChecks(octokit: Octokit, ref: RepoRef, sha: string): Promise<Map<string, number>> {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...ref, ref: sha, filter: 'latest', per_page: 100 });
    return new Map(data.check_runs.filter((run) => isOurCheck(run.name)).map((run) => [run.name, Number(run.id)]));
  }

  private async postCheck(octokit: Octokit, ref: RepoRef, sha: string, output: CheckOutput, existingId: number | undefined): Promise<number> {
    const annotations = output.annotations ?? [];
    const body = (batch: Annotation[]) => ({
      ...ref,
      status: output.status,
      ...(output.conclusion ? { conclusion: output.conclusion } : {}),
      output: { title: output.title, summary: output.summary, ...(batch.length > 0 ? { annotations: batch } : {}) },
    });
    let id = existingId;
    // GitHub appends annotations on each update: the first request carries 50, further updates the rest.
    for (let start = 0; start === 0 || start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
      const batch = annotations.slice(start, start + ANNOTATIONS_PER_REQUEST);
      if (id === undefined) {
        id = await this.createCheck(octokit, ref, sha, output.name, body(batch));
      } else {
        await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...body(batch), check_run_id: id });
      }
    }
    return id!;
  }

  /**
   * Creates a check run once. A 5xx may come after GitHub created it (the answer was lost), so
   * the runs on the SHA are listed before trying again: an existing one is updated instead.
   */
  private async createCheck(octokit: Octokit, ref: RepoRef, sha: string, name: string, body: Record<string, unknown>): Promise<number> {
    const create = async () => Number((await octokit.request('POST /repos/{owner}/{repo}/check-runs', { ...body, ...ref, name, head_sha: sha, request: { retries: 0 } })).data.id);
    try {
      return await create();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && status < 500) throw error;
      const existing = (await this.existingChecks(octokit, ref, sha)).get(name);
      if (existing === undefined) return create();
      await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...body, ...ref, check_run_id: existing });
      return existing;
    }
  }

  /** Puts the workflow label on and takes stale `hitl:` workflow labels off. */
  async syncWorkflowLabel(octokit: Octokit, ref: RepoRef, pr: PullData, wanted: string): Promise<void> {
    const stale = pr.labels.filter((l) => l in LABEL_COLOURS && l !== wanted);
    if (!pr.labels.includes(wanted)) {
      await this.ensureLabel(octokit, ref, wanted);
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { ...ref, issue_number: pr.number, labels: [wanted] });
    }
    for (const name of stale) {
      await octokit.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', { ...ref, issue_number: pr.number, name });
    }
  }

  /** Creates the label with its colour once per repository (remembered in Redis). */
  private async ensureLabel(octokit: Octokit, ref: RepoRef, name: string): Promise<void> {
    const known = this.cache.key('labels', repoKey(ref));
    if ((await this.cache.members(known))?.includes(name)) return;
    try {
      await octokit.request('POST /repos/{owner}/{repo}/labels', { ...ref, name, color: LABEL_COLOURS[name] ?? 'ededed', description: 'HITL workflow' });
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error; // 422: it exists already
    }
    await this.cache.addMembers(known, CHECK_RECORD_TTL_MS, name);
  }

  /**
   * Requests reviews from people and teams not asked before on this PR (by us or anyone) and
   * who have not reviewed yet; never the author.
   */
  async requestReviewers(octokit: Octokit, ref: RepoRef, pr: PullData, wanted: { users: string[]; teams: string[] }, reviewed: readonly string[]): Promise<void> {
    const askedKey = this.cache.key('requested', repoKey(ref), pr.number);
    const asked = new Set((await this.cache.members(askedKey)) ?? []);
    const skipUser = new Set([pr.author.toLowerCase(), ...pr.requestedReviewers, ...reviewed.map((r) => r.toLowerCase())]);
    const users = [...new Set(wanted.users.map((u) => u.toLowerCase()))].filter((u) => !skipUser.has(u) && !asked.has(`user:${u}`));
    const teams = [...new Set(wanted.teams.map((t) => t.toLowerCase()))].filter((t) => !pr.requestedTeams.includes(t) && !asked.has(`team:${t}`));
    if (users.length === 0 && teams.length === 0) return;
    // Remembered before the request: a refused request (422, e.g. not a collaborator) is not retried on every event.
    await this.cache.addMembers(askedKey, CHECK_RECORD_TTL_MS, ...users.map((u) => `user:${u}`), ...teams.map((t) => `team:${t}`));
    try {
      await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { ...ref, pull_number: pr.number, reviewers: users, team_reviewers: teams });
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error;
    }
  }

  async react(octokit: Octokit, ref: RepoRef, commentId: number, content: '+1' | 'confused'): Promise<void> {
    await octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', { ...ref, comment_id: commentId, content });
  }

  async reply(octokit: Octokit, ref: RepoRef, number: number, body: string): Promise<void> {
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...ref, issue_number: number, body });
  }
}
