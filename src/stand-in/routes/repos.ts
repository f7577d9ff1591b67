/** Contents, people (permissions, teams) and the Actions/deployment endpoints. */
import { githubError, noContent, notFound, ok, optionalString, paginate, requireString, validationFailed, type Reply } from '../http.js';
import { withRepo, type Route, type RouteContext } from '../router.js';
import { blobSha, isoSeconds, type Permission, type Team } from '../state.js';
import { userObject } from '../users.js';

/** GitHub's base64 in the contents API is wrapped at 60 characters. */
const wrapBase64 = (text: string): string => (Buffer.from(text, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';

/** The legacy `permission` field folds maintain into write and triage into read; `role_name` keeps them. */
const LEGACY_PERMISSION: Record<Permission, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read', none: 'none' };

function withTeam(ctx: RouteContext, then: (team: Team) => Reply): Reply {
  const team = ctx.state.findTeam(ctx.params.org ?? '', ctx.params.team_slug ?? '');
  const account = ctx.installationId === null ? undefined : ctx.state.installations.get(ctx.installationId)?.account;
  // Only the org the installation is on can see its teams.
  return team && account?.toLowerCase() === team.org.toLowerCase() ? then(team) : notFound();
}

export const repoRoutes: Route[] = [
  {
    method: 'GET', path: '/repos/{owner}/{repo}/contents/{path+}', name: 'repos.getContent',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
        const content = ctx.state.filesAt(repo, ctx.url.searchParams.get('ref') ?? undefined)?.get(path);
        if (content === undefined) return notFound();
        const sha = blobSha(content);
        const base = `https://api.github.com/repos/${repo.owner}/${repo.name}`;
        return ok({
          type: 'file',
          encoding: 'base64',
          size: Buffer.byteLength(content),
          name: path.split('/').pop(),
          path,
          content: wrapBase64(content),
          sha,
          url: `${base}/contents/${path}`,
          git_url: `${base}/git/blobs/${sha}`,
          html_url: `https://github.com/${repo.owner}/${repo.name}/blob/${repo.defaultBranch}/${path}`,
          download_url: `https://raw.githubusercontent.com/${repo.owner}/${repo.name}/${repo.defaultBranch}/${path}`,
        });
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/collaborators/{username}/permission', name: 'repos.getCollaboratorPermissionLevel',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const login = ctx.params.username ?? '';
        // Unseeded users answer `none`: the stand-in fails closed like a repo the user cannot see.
        const permission = repo.collaborators.get(login.toLowerCase()) ?? 'none';
        return ok({ permission: LEGACY_PERMISSION[permission], role_name: permission, user: userObject(login) });
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/collaborators/{username}', name: 'repos.checkCollaborator',
    handle: (ctx) => withRepo(ctx, (repo) => ((repo.collaborators.get((ctx.params.username ?? '').toLowerCase()) ?? 'none') === 'none' ? notFound() : noContent)),
  },
  {
    method: 'GET', path: '/orgs/{org}/teams/{team_slug}/memberships/{username}', name: 'teams.getMembershipForUserInOrg',
    handle: (ctx) =>
      withTeam(ctx, (team) => {
        const login = ctx.params.username ?? '';
        const role = team.members.get(login.toLowerCase());
        if (!role) return notFound();
        return ok({ url: `https://api.github.com/organizations/${team.org}/team/${team.id}/memberships/${login}`, role, state: 'active' });
      }),
  },
  {
    method: 'GET', path: '/orgs/{org}/teams/{team_slug}/members', name: 'teams.listMembersInOrg',
    handle: (ctx) =>
      withTeam(ctx, (team) => {
        const role = ctx.url.searchParams.get('role') ?? 'all';
        const logins = [...team.members].filter(([, memberRole]) => role === 'all' || memberRole === role).map(([login]) => userObject(login));
        return paginate(logins, ctx.url);
      }),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule', name: 'actions.reviewCustomGatesForRun',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const environment_name = requireString(ctx.body, 'DeploymentProtectionRule', 'environment_name');
        const state = requireString(ctx.body, 'DeploymentProtectionRule', 'state');
        if (state !== 'approved' && state !== 'rejected') return validationFailed('DeploymentProtectionRule', 'state', 'invalid');
        const comment = optionalString(ctx.body, 'DeploymentProtectionRule', 'comment') ?? '';
        repo.deploymentReviews.push({ runId: Number(ctx.params.run_id), environment_name, state, comment, at: isoSeconds(ctx.state.clock()) });
        return noContent;
      }),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', name: 'actions.reRunWorkflowFailedJobs',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const runId = Number(ctx.params.run_id);
        if (!Number.isSafeInteger(runId) || runId <= 0) return notFound();
        repo.rerunRequests.push(runId);
        return ok({}, 201);
      }),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/dispatches', name: 'repos.createDispatchEvent',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const event_type = requireString(ctx.body, 'RepositoryDispatch', 'event_type');
        if (event_type.length > 100) return githubError(422, 'event_type is too long (maximum is 100 characters)');
        repo.dispatches.push({ event_type, client_payload: ctx.body.client_payload ?? {}, at: isoSeconds(ctx.state.clock()) });
        return noContent;
      }),
  },
];
