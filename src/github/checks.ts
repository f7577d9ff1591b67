/**
 * Our check runs: created once per head SHA and name, then updated only when their output
 * changed (what was posted is remembered in Redis), and read back, ours only, by the writer,
 * the compliance check and the deployment gate. A completed run is final on GitHub (a PATCH
 * keeps its status and conclusion), so a verdict that changes after completion is posted as a
 * new run of the same name, which required checks then read as the latest.
 */
import { createHash } from 'node:crypto';
import { HITL_CHECK } from '../policy/types.js';
import { repoKey, repoOf, type RepoRef } from './address.js';
import { DAY, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';

/** GitHub takes at most this many annotations per check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
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
  /** The run's status and conclusion (stateOf); absent in records written before it was kept. */
  state?: string;
}

/**
 * What Redis holds per check name: a run we know, or a create that was started and never
 * recorded (the process died, or its answer was lost), after which GitHub may hold a run we do
 * not know of.
 */
type StoredCheck = CheckRecord | { creating: true };

const stateOf = (run: { status: string; conclusion?: string | null }) => (run.status === 'completed' ? `completed:${run.conclusion}` : run.status);
/** A run PATCH can bring to `output`: one not completed, or completed with the same conclusion (an unknown state counts as completed). */
const updatable = (record: CheckRecord, output: CheckOutput) => record.state === 'in_progress' || record.state === 'queued' || record.state === stateOf(output);
const hashOf = (output: CheckOutput) => createHash('sha256').update(JSON.stringify(output)).digest('hex');
const isOurCheck = (name: string) => name === HITL_CHECK || name.startsWith(`${HITL_CHECK}/`);

export class CheckWriter {
  constructor(
    private readonly cache: Cache,
    private readonly reader: OwnCheckReader,
  ) {}

  /**
   * Posts each output on `sha` unless the same output is already there. Checkpoint checks of
   * this SHA that are no longer wanted are retired as neutral. `mayExist` says whether runs
   * could exist that Redis does not know of (never the case for a head SHA first seen now).
   */
  async syncChecks(gh: GitHubClient, at: RepoRef, sha: string, outputs: CheckOutput[], mayExist: boolean): Promise<void> {
    const key = this.cache.key('checks', repoKey(at), sha);
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
      for (const run of await this.existingChecks(gh, at, sha)) if (!records.has(run.name)) records.set(run.name, { id: run.id, hash: '', state: stateOf(run) });
    }
    const wanted = new Set(outputs.map((o) => o.name));
    const retired = [...records.keys()]
      .filter((name) => name !== HITL_CHECK && !wanted.has(name))
      .map((name): CheckOutput => ({ name, status: 'completed', conclusion: 'neutral', title: 'No longer required for this pull request', summary: 'This checkpoint is no longer active.' }));
    for (const output of [...outputs, ...retired]) {
      const hash = hashOf(output);
      const record = records.get(output.name);
      if (record?.hash === hash) continue;
      const reuse = record && updatable(record, output) ? record.id : undefined;
      if (reuse === undefined) await this.cache.setHashField(key, output.name, JSON.stringify({ creating: true } satisfies StoredCheck), CHECK_RECORD_TTL_MS);
      const id = await this.postCheck(gh, at, sha, output, reuse, record?.id);
      await this.cache.setHashField(key, output.name, JSON.stringify({ id, hash, state: stateOf(output) } satisfies StoredCheck), CHECK_RECORD_TTL_MS);
    }
  }

  private async existingChecks(gh: GitHubClient, at: RepoRef, sha: string): Promise<CheckRunFacts[]> {
    return (await this.reader.ownCheckRuns(gh, at, sha)).filter((run) => isOurCheck(run.name));
  }

  /** Updates run `existingId`, or creates a run (replacing the completed run `replacing`, when there is one). */
  private async postCheck(gh: GitHubClient, at: RepoRef, sha: string, output: CheckOutput, existingId: number | undefined, replacing: number | undefined): Promise<number> {
    const annotations = output.annotations ?? [];
    const body = (batch: Annotation[]) => ({
      ...repoOf(at),
      status: output.status,
      ...(output.conclusion ? { conclusion: output.conclusion } : {}),
      output: { title: output.title, summary: output.summary, ...(batch.length > 0 ? { annotations: batch } : {}) },
    });
    let id = existingId;
    // GitHub appends annotations on each update: the first request carries 50, further updates the rest.
    for (let start = 0; start === 0 || start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
      const batch = annotations.slice(start, start + ANNOTATIONS_PER_REQUEST);
      if (id === undefined) {
        id = await this.createCheck(gh, at, sha, output.name, body(batch), replacing);
      } else {
        await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...body(batch), check_run_id: id });
      }
    }
    return id!;
  }

  /**
   * Creates a check run once. A 5xx may come after GitHub created it (the answer was lost), so
   * the runs on the SHA are listed before trying again: a run that is not the one being replaced
   * is the one just created, and is updated instead.
   */
  private async createCheck(gh: GitHubClient, at: RepoRef, sha: string, name: string, body: Record<string, unknown>, replacing: number | undefined): Promise<number> {
    const create = async () => Number((await gh.request('POST /repos/{owner}/{repo}/check-runs', { ...body, ...repoOf(at), name, head_sha: sha, request: { retries: 0 } })).data.id);
    try {
      return await create();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && status < 500) throw error;
      const existing = (await this.existingChecks(gh, at, sha)).find((run) => run.name === name)?.id;
      if (existing === undefined || existing === replacing) return create();
      await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...body, ...repoOf(at), check_run_id: existing });
      return existing;
    }
  }
}

/** The fields of a check run that the writer, the compliance check and the deployment gate read. */
export interface CheckRunFacts {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  title: string | null;
}

/**
 * The one reader of our own check runs. A run counts only when this app (APP_ID) posted it:
 * another app or an Actions job can post a run named `hitl` on any commit, and taking it for ours
 * would let it pass a merge or a deployment around the gate, or have the writer update it.
 */
export class OwnCheckReader {
  constructor(readonly appId: number) {}

  /** Our latest run of each name on `sha`. */
  async ownCheckRuns(gh: GitHubClient, at: RepoRef, sha: string): Promise<CheckRunFacts[]> {
    const { data } = await gh.rest.checks.listForRef({ ...repoOf(at), ref: sha, filter: 'latest', app_id: this.appId, per_page: 100 });
    // GitHub narrows by app_id already; a run without our id is still dropped, whatever answered.
    return data.check_runs
      .filter((run) => run.app?.id === this.appId)
      .map((run) => ({ id: run.id, name: run.name, status: run.status, conclusion: run.conclusion, started_at: run.started_at ?? null, title: run.output?.title ?? null }));
  }
}
