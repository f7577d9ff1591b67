/**
 * Counts the GitHub requests of one event: reads and writes are budgeted separately (writes are
 * the scarce resource), and a 304 answer to a conditional read costs no rate limit.
 */
import type { GitHubClient } from './client.js';

export interface CallCounter {
  reads: number;
  writes: number;
  /** Reads answered 304 Not Modified (free of rate limit); also counted in `reads`. */
  notModified: number;
  /** "METHOD /path" of every request, in order. */
  calls: string[];
}

export const newCounter = (): CallCounter => ({ reads: 0, writes: 0, notModified: 0, calls: [] });

/** Installation tokens are the app's own business, not a cost of the event. */
const isTokenRequest = (url: string) => /\/app\/installations\/\d+\/access_tokens/.test(url);

/** Wraps every request of this (per-event) Octokit so the counter sees it, whatever its outcome. */
export function countRequests(octokit: GitHubClient, counter: CallCounter): void {
  octokit.hook.wrap('request', async (request, options) => {
    const { method, url } = octokit.request.endpoint.parse(options);
    if (isTokenRequest(url)) return request(options);
    const read = method === 'GET' || method === 'HEAD';
    if (read) counter.reads++;
    else counter.writes++;
    counter.calls.push(`${method} ${new URL(url).pathname.replace(/^\/api\/v3/, '')}`);
    try {
      return await request(options);
    } catch (error) {
      if ((error as { status?: number }).status === 304) counter.notModified++;
      throw error;
    }
  });
}
