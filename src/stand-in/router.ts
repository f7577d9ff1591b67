/**
 * Route table plumbing: each endpoint is a method, a path pattern in GitHub's own notation
 * (`/repos/{owner}/{repo}/contents/{path+}`; `+` = may span slashes), an Octokit-style name used in
 * the call log, and a pure handler from (state, request) to a Reply.
 */
import { InvalidField, notFound, validationFailed, type Body, type Reply } from './http.js';
import type { Issue, Pull, Repo, StandInState } from './state.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
/** read/write as GitHub's secondary limits count them; `auth` is token minting, not repo traffic. */
export type CallKind = 'read' | 'write' | 'auth';

export interface RouteContext {
  params: Record<string, string>;
  url: URL;
  body: Body;
  /** The installation whose token made the call (routes under /app have none). */
  installationId: number | null;
  /** The login the calls are made as (the app's bot), for events and reactions. */
  actor: string;
  state: StandInState;
}

export interface Route {
  method: Method;
  path: string;
  name: string;
  kind?: CallKind;
  /** Creates content that notifies people: counts against the 80/min secondary limit. */
  contentCreating?: boolean;
  handle(ctx: RouteContext): Reply;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export function callKind(route: Route): CallKind {
  return route.kind ?? (route.method === 'GET' ? 'read' : 'write');
}

export function compileRoutes(routes: readonly Route[]): (method: string, pathname: string) => RouteMatch | null {
  const compiled = routes.map((route) => {
    const keys: string[] = [];
    const source = route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)(\+?)\}/g, (_all, key: string, greedy: string) => {
      keys.push(key);
      return greedy ? '(.+)' : '([^/]+)';
    });
    return { route, keys, regex: new RegExp(`^${source}$`) };
  });
  return (method, pathname) => {
    for (const { route, keys, regex } of compiled) {
      if (route.method !== method) continue;
      const found = regex.exec(pathname);
      if (!found) continue;
      try {
        const params = Object.fromEntries(keys.map((key, i) => [key, decodeURIComponent(found[i + 1] ?? '')]));
        return { route, params };
      } catch {
        return null; // malformed %-escape: GitHub answers 404 for such paths as well
      }
    }
    return null;
  };
}

/** Runs a handler, turning a body field that failed validation into GitHub's 422. */
export function runHandler(route: Route, ctx: RouteContext): Reply {
  try {
    return route.handle(ctx);
  } catch (error) {
    if (error instanceof InvalidField) return validationFailed(error.resource, error.field, error.code);
    throw error;
  }
}

/** A repository visible to the calling installation; another installation's repo is a 404, as on GitHub. */
export function withRepo(ctx: RouteContext, then: (repo: Repo) => Reply): Reply {
  const repo = ctx.state.findRepo(ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo || repo.installationId !== ctx.installationId) return notFound();
  return then(repo);
}

export function withIssue(ctx: RouteContext, param: string, then: (repo: Repo, issue: Issue) => Reply): Reply {
  return withRepo(ctx, (repo) => {
    const issue = repo.issues.get(Number(ctx.params[param]));
    return issue ? then(repo, issue) : notFound();
  });
}

export type PullIssue = Issue & { pull: Pull };

export function withPull(ctx: RouteContext, then: (repo: Repo, issue: PullIssue) => Reply): Reply {
  return withIssue(ctx, 'pull_number', (repo, issue) => (issue.pull ? then(repo, issue as PullIssue) : notFound()));
}
