/** The App endpoints Probot's installation authentication uses. */
import { notFound, ok } from '../http.js';
import { repositoryObject } from '../render.js';
import type { Route, RouteContext } from '../router.js';
import { isoSeconds, type Installation } from '../state.js';
import { userObject } from '../users.js';

/** GitHub's installation tokens live one hour. */
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
const PERMISSIONS = { checks: 'write', contents: 'read', issues: 'write', pull_requests: 'write', members: 'read', actions: 'read', deployments: 'write', metadata: 'read' };

function installationObject(installation: Installation) {
  return {
    id: installation.id,
    account: userObject(installation.account, 'Organization'),
    app_id: installation.appId,
    app_slug: 'hitl',
    target_type: 'Organization',
    repository_selection: 'all',
    permissions: PERMISSIONS,
    events: ['pull_request', 'pull_request_review', 'issue_comment', 'check_run', 'deployment_protection_rule'],
    access_tokens_url: `https://api.github.com/app/installations/${installation.id}/access_tokens`,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    suspended_at: null,
  };
}

function withInstallation(ctx: RouteContext, then: (installation: Installation) => ReturnType<Route['handle']>) {
  const installation = ctx.state.installations.get(Number(ctx.params.installation_id));
  return installation ? then(installation) : notFound();
}

export const appRoutes: Route[] = [
  {
    method: 'GET', path: '/app', name: 'apps.getAuthenticated', kind: 'auth',
    handle: (ctx) => ok({ id: ctx.state.appId, slug: 'hitl', name: 'HITL', owner: userObject('hitl-org', 'Organization'), permissions: PERMISSIONS }),
  },
  {
    method: 'GET', path: '/app/installations/{installation_id}', name: 'apps.getInstallation', kind: 'auth',
    handle: (ctx) => withInstallation(ctx, (installation) => ok(installationObject(installation))),
  },
  {
    method: 'POST', path: '/app/installations/{installation_id}/access_tokens', name: 'apps.createInstallationAccessToken', kind: 'auth',
    handle: (ctx) =>
      withInstallation(ctx, (installation) => {
        return ok({ token: ctx.state.issueToken(installation.id), expires_at: isoSeconds(ctx.state.clock() + TOKEN_LIFETIME_MS), permissions: PERMISSIONS, repository_selection: 'all' }, 201);
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/installation', name: 'apps.getRepoInstallation', kind: 'auth',
    handle: (ctx) => {
      const repo = ctx.state.findRepo(ctx.params.owner ?? '', ctx.params.repo ?? '');
      const installation = repo && ctx.state.installations.get(repo.installationId);
      return installation ? ok({ ...installationObject(installation), repository: repositoryObject(repo) }) : notFound();
    },
  },
];
