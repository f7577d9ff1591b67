/**
 * Reads `.hitl.yml` at the pull request's BASE ref (never its head) and the org's `.github`
 * repository defaults. Conditional requests (ETag) make an unchanged file a free 304; parsing
 * is cached in memory by blob SHA, so an unchanged config is never parsed twice.
 */
import { formatIssue, loadConfig } from '../config/load.js';
import type { ResolveResult } from '../config/resolve.js';
import { CONFIG_FILE, type ResolvedConfig } from '../config/types.js';
import type { RepoRef } from './address.js';
import { DAY, MINUTE, type Cache } from './cache.js';
import type { GitHubClient } from './client.js';

/** The org's defaults change rarely: they are re-checked at most this often per owner. */
const ORG_RECHECK_MS = 5 * MINUTE;
const PARSED_CACHE_SIZE = 200;
/** The repository whose `.hitl.yml` holds an organisation's defaults. */
export const ORG_CONFIG_REPO = '.github';

export interface LoadedConfig {
  result: ResolveResult;
  /** Blob SHAs of the files in force ("org@sha repo@sha"), or "built-in". */
  version: string;
}

/** The config for a repository-wide decision (a deployment, a rollback, a failing build), or why it is invalid. */
export type RepositoryConfig =
  | { ok: true; config: ResolvedConfig; version: string }
  | { ok: false; error: string; version: string };

interface FileRecord {
  etag?: string;
  /** Blob SHA; absent when there is no file. */
  sha?: string;
}

interface FileText {
  sha: string;
  text: string;
}

const status = (error: unknown) => (error as { status?: number }).status;

export class ConfigReader {
  private readonly parsed = new Map<string, ResolveResult>();

  constructor(private readonly cache: Cache) {}

  /** The config at `ref`; a file that cannot be read (any error but 404) is an error result that keeps the gate shut. */
  async load(gh: GitHubClient, owner: string, repo: string, ref: string): Promise<LoadedConfig> {
    try {
      return await this.read(gh, owner, repo, ref);
    } catch (error) {
      // Fail closed: a config that cannot be read is not "no config".
      const message = `could not read ${CONFIG_FILE} (HTTP ${status(error) ?? 'error'}): the gate stays shut until it can be read`;
      return { result: { ok: false, errors: [{ severity: 'error', message, path: [], source: 'repository' }], warnings: [] }, version: 'unreadable' };
    }
  }

  /** The config at `ref`; a file that cannot be read (any error but 404) throws, for callers that fail closed by not answering. */
  async read(gh: GitHubClient, owner: string, repo: string, ref: string): Promise<LoadedConfig> {
    return this.compose(await this.orgFile(gh, owner), await this.file(gh, owner, repo, ref));
  }

  /**
   * The config a pull request proposes, for its policy-diff only (it is never judged by it): the
   * file at its head commit over the org's defaults. A commit's file never changes, so it is read
   * once and then answered from the blob cache; a read error is an error result.
   */
  async proposed(gh: GitHubClient, owner: string, repo: string, commit: string): Promise<LoadedConfig> {
    try {
      return this.compose(await this.orgFile(gh, owner), await this.file(gh, owner, repo, commit, true));
    } catch (error) {
      const message = `could not read ${CONFIG_FILE} at ${commit.slice(0, 7)} (HTTP ${status(error) ?? 'error'})`;
      return { result: { ok: false, errors: [{ severity: 'error', message, path: [], source: 'repository' }], warnings: [] }, version: 'unreadable' };
    }
  }

  private compose(org: FileText | undefined, repository: FileText | undefined): LoadedConfig {
    const version = [org && `org@${org.sha}`, repository && `repo@${repository.sha}`].filter(Boolean).join(' ') || 'built-in';
    return { result: this.parse(version, org?.text, repository?.text), version };
  }

  /**
   * The config in force for a repository-wide decision: the file on the default branch over the
   * org's `.github` file over the built-in defaults. A read error other than 404 throws (fail
   * closed: an outage is not an absence).
   */
  async repository(gh: GitHubClient, at: RepoRef, defaultBranch: string): Promise<RepositoryConfig> {
    const { result, version } = await this.read(gh, at.owner, at.repo, defaultBranch);
    if (result.ok) return { ok: true, config: result.config, version };
    const shown = result.errors.slice(0, 5).map((issue) => formatIssue(issue));
    const more = result.errors.length > shown.length ? ` (and ${result.errors.length - shown.length} more)` : '';
    return { ok: false, error: `invalid ${CONFIG_FILE}: ${shown.join('; ')}${more}`, version };
  }

  private parse(version: string, organization: string | undefined, repository: string | undefined): ResolveResult {
    const hit = this.parsed.get(version);
    if (hit) return hit;
    const result = loadConfig({ organization, repository });
    if (this.parsed.size >= PARSED_CACHE_SIZE) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(version, result);
    return result;
  }

  private async orgFile(gh: GitHubClient, owner: string): Promise<FileText | undefined> {
    const fresh = this.cache.key('cfg', 'org-checked', owner.toLowerCase());
    if (await this.cache.exists(fresh)) {
      const record = await this.cache.getJson<FileRecord>(this.recordKey(owner, ORG_CONFIG_REPO, ''));
      const text = record?.sha === undefined ? undefined : await this.blob(record.sha);
      if (record && (record.sha === undefined || text !== undefined)) return text;
    }
    const file = await this.file(gh, owner, ORG_CONFIG_REPO, undefined);
    await this.cache.setText(fresh, '1', ORG_RECHECK_MS);
    return file;
  }

  private recordKey(owner: string, repo: string, ref: string): string {
    return this.cache.key('cfg', 'file', `${owner}/${repo}`.toLowerCase(), ref);
  }

  private async blob(sha: string): Promise<FileText | undefined> {
    const text = await this.cache.getText(this.cache.key('cfg', 'blob', sha));
    return text === undefined ? undefined : { sha, text };
  }

  /**
   * The file at `ref` (the default branch when undefined), or undefined when there is none. At an
   * `immutable` ref (a commit) what was read once is the answer: no request, not even a conditional one.
   */
  private async file(gh: GitHubClient, owner: string, repo: string, ref: string | undefined, immutable = false): Promise<FileText | undefined> {
    const recordKey = this.recordKey(owner, repo, ref ?? '');
    const record = await this.cache.getJson<FileRecord>(recordKey);
    const cachedText = record?.sha === undefined ? undefined : await this.blob(record.sha);
    if (immutable && record && (record.sha === undefined || cachedText !== undefined)) return cachedText;
    const conditional = record?.etag !== undefined && (record.sha === undefined || cachedText !== undefined);
    try {
      const response = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner,
        repo,
        path: CONFIG_FILE,
        ...(ref === undefined ? {} : { ref }),
        headers: conditional ? { 'if-none-match': record.etag } : {},
      });
      const data = response.data;
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
      const text = Buffer.from(data.content, 'base64').toString('utf8');
      await this.cache.setText(this.cache.key('cfg', 'blob', data.sha), text, 7 * DAY);
      await this.cache.setJson(recordKey, { etag: response.headers.etag, sha: data.sha } satisfies FileRecord, 7 * DAY);
      return { sha: data.sha, text };
    } catch (error) {
      if (status(error) === 304 && conditional) return cachedText;
      if (status(error) === 404) {
        await this.cache.setJson(recordKey, { etag: (error as { response?: { headers?: { etag?: string } } }).response?.headers?.etag } satisfies FileRecord, 7 * DAY);
        return undefined;
      }
      throw error;
    }
  }
}
