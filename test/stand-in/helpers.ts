/** A stand-in seeded with one repository and pull request, plus a raw HTTP client for it. */
import { startStandIn, type StandIn, type StandInOptions } from '../../src/stand-in/server.js';

export const OWNER = 'acme';
export const REPO = 'web';
export const INSTALLATION = 42;
export const HEAD = 'a'.repeat(40);
export const PR = 7;

export interface Api {
  (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
}

export async function seededStandIn(options: StandInOptions = {}): Promise<{ standIn: StandIn; api: Api; token: string }> {
  const standIn = await startStandIn(options);
  const { state } = standIn;
  state.addRepo({ owner: OWNER, repo: REPO, installationId: INSTALLATION });
  state.putFile(OWNER, REPO, '.hitl.yml', 'workflows: {}\n');
  state.setPermission(OWNER, REPO, 'bob', 'write');
  state.setPermission(OWNER, REPO, 'alice', 'write');
  state.addTeam(OWNER, 'security', ['sam', { login: 'sue', role: 'maintainer' }]);
  state.addPullRequest(OWNER, REPO, { number: PR, author: 'alice', head: { ref: 'feature', sha: HEAD }, files: [{ filename: 'src/a.ts', additions: 10, deletions: 2 }] });
  const token = state.issueToken(INSTALLATION);
  const api: Api = async (method, path, body, headers = {}) => {
    const response = await fetch(`${standIn.baseUrl}${path}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
  return { standIn, api, token };
}
