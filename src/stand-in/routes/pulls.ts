/** Pull requests: the PR itself, its files (paginated, capped at 3,000), reviews and review requests. */
import { githubError, ok, paginate, stringList } from '../http.js';
import { fileObject, pullCommitObject, pullObject, requestedReviewersObject, reviewObject } from '../render.js';
import { withPull, withRepo, type PullIssue, type Route, type RouteContext } from '../router.js';
import type { Repo } from '../state.js';

/** GitHub lists at most 3,000 files of a pull request. */
export const MAX_LISTED_FILES = 3000;

/** Users and teams are requested the same way, each through its own body field, list and event field. */
const REVIEW_REQUEST_LISTS = [
  { bodyField: 'reviewers', stateField: 'requestedReviewers', eventField: 'requested_reviewer' },
  { bodyField: 'team_reviewers', stateField: 'requestedTeams', eventField: 'requested_team' },
] as const;

const teamFinder = (ctx: RouteContext, repo: Repo) => (slug: string) => ctx.state.findTeam(repo.owner, slug);

function renderPull(ctx: RouteContext, repo: Repo, issue: PullIssue) {
  return pullObject(repo, issue, teamFinder(ctx, repo));
}

export const pullRoutes: Route[] = [
  {
    method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}', name: 'pulls.get',
    handle: (ctx) => withPull(ctx, (repo, issue) => ok(renderPull(ctx, repo, issue))),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}/files', name: 'pulls.listFiles',
    handle: (ctx) =>
      withPull(ctx, (repo, issue) => paginate(issue.pull.files.slice(0, MAX_LISTED_FILES).map((file) => fileObject(repo, issue.pull.head.sha, file)), ctx.url)),
  },
  {
    // GitHub lists at most 250 commits of a pull request.
    method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}/commits', name: 'pulls.listCommits',
    handle: (ctx) => withPull(ctx, (repo, issue) => paginate(issue.pull.commits.slice(0, 250).map((commit) => pullCommitObject(repo, commit, issue.updated_at)), ctx.url)),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', name: 'pulls.listReviews',
    handle: (ctx) => withPull(ctx, (repo, issue) => paginate(issue.pull.reviews.map((review) => reviewObject(repo, issue.number, review)), ctx.url)),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', name: 'pulls.listRequestedReviewers',
    handle: (ctx) => withPull(ctx, (repo, issue) => ok(requestedReviewersObject(repo, issue.pull, teamFinder(ctx, repo)))),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', name: 'pulls.requestReviewers', contentCreating: true,
    handle: (ctx) =>
      withPull(ctx, (repo, issue) => {
        const users = stringList(ctx.body, 'PullRequest', 'reviewers');
        const teams = stringList(ctx.body, 'PullRequest', 'team_reviewers');
        if (users.some((login) => login.toLowerCase() === issue.user.toLowerCase())) return githubError(422, 'Review cannot be requested from pull request author.');
        const strangers = users.some((login) => (repo.collaborators.get(login.toLowerCase()) ?? 'none') === 'none') || teams.some((slug) => !ctx.state.findTeam(repo.owner, slug));
        if (strangers) {
          return githubError(422, `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.owner}/${repo.name} repository.`);
        }
        for (const list of REVIEW_REQUEST_LISTS) {
          for (const name of stringList(ctx.body, 'PullRequest', list.bodyField)) {
            if (issue.pull[list.stateField].includes(name)) continue; // asking again would notify again
            issue.pull[list.stateField].push(name);
            ctx.state.recordEvent(issue, ctx.actor, 'review_requested', { [list.eventField]: name });
          }
        }
        return ok(renderPull(ctx, repo, issue), 201);
      }),
  },
  {
    method: 'DELETE', path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', name: 'pulls.removeRequestedReviewers',
    handle: (ctx) =>
      withPull(ctx, (repo, issue) => {
        for (const list of REVIEW_REQUEST_LISTS) {
          const removed = new Set(stringList(ctx.body, 'PullRequest', list.bodyField));
          for (const name of issue.pull[list.stateField].filter((current) => removed.has(current))) {
            ctx.state.recordEvent(issue, ctx.actor, 'review_request_removed', { [list.eventField]: name });
          }
          issue.pull[list.stateField] = issue.pull[list.stateField].filter((current) => !removed.has(current));
        }
        return ok(renderPull(ctx, repo, issue));
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', name: 'repos.listPullRequestsAssociatedWithCommit',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        // A PR's head commits, and the merge commit that brought a merged PR into its base.
        const sha = ctx.params.commit_sha;
        const pulls = [...repo.issues.values()].filter((issue): issue is PullIssue => issue.pull !== undefined && (issue.pull.head.sha === sha || issue.pull.merge?.commitSha === sha));
        return paginate(pulls.map((issue) => renderPull(ctx, repo, issue)), ctx.url);
      }),
  },
];
