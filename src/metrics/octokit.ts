/**
 * Counts GitHub API requests and keeps the rate-limit gauge current, as an Octokit plugin, so
 * every request of every installation client is seen without touching the callers:
 * `ProbotOctokit.plugin(githubMetricsPlugin(metrics))`.
 */
import type { GitHubClient } from '../github/client.js';
import type { HitlMetrics } from './metrics.js';

type Headers = Record<string, string | number | undefined>;

export function githubMetricsPlugin(metrics: Pick<HitlMetrics, 'githubRequest' | 'githubRateLimit'>) {
  const recordRateLimit = (headers: Headers | undefined) => {
    const remaining = Number(headers?.['x-ratelimit-remaining']);
    if (headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) {
      metrics.githubRateLimit(String(headers['x-ratelimit-resource'] ?? 'core'), remaining);
    }
  };
  return (octokit: Pick<GitHubClient, 'hook'>): void => {
    octokit.hook.wrap('request', async (request, options) => {
      metrics.githubRequest(options.method);
      try {
        const response = await request(options);
        recordRateLimit(response.headers);
        return response;
      } catch (error) {
        // A 403/404/422 still spent a request and carries the same headers.
        recordRateLimit((error as { response?: { headers?: Headers } }).response?.headers);
        throw error;
      }
    });
  };
}
