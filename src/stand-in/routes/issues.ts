/** Issues and what hangs off them: comments, reactions, labels (issue and repo), assignees, events. */
import { githubError, InvalidField, noContent, notFound, ok, optionalString, paginate, requireString, stringList, validationFailed, type Reply } from '../http.js';
import { commentObject, issueObject, labelObject, reactionObject } from '../render.js';
import { withIssue, withRepo, type Route, type RouteContext } from '../router.js';
import type { Comment, Issue, Label, Repo } from '../state.js';
import { userObject } from '../users.js';

const REACTIONS = new Set(['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes']);
/** GitHub rejects comment bodies over 65,536 characters. */
const MAX_COMMENT_LENGTH = 65_536;

function withComment(ctx: RouteContext, then: (repo: Repo, comment: Comment) => Reply): Reply {
  return withRepo(ctx, (repo) => {
    const id = Number(ctx.params.comment_id);
    for (const issue of repo.issues.values()) {
      const comment = issue.comments.find((candidate) => candidate.id === id);
      if (comment) return then(repo, comment);
    }
    return notFound();
  });
}

function commentBody(ctx: RouteContext): string {
  const body = requireString(ctx.body, 'IssueComment', 'body');
  if (body.length > MAX_COMMENT_LENGTH) throw new InvalidField('IssueComment', 'body', 'invalid');
  return body;
}

const labelsOf = (repo: Repo, issue: Issue) => issueObject(repo, issue).labels;

/** `labels` may hold names or `{ name }` objects, as GitHub's docs allow. */
function requestedLabels(ctx: RouteContext): string[] {
  const raw = ctx.body.labels;
  if (!Array.isArray(raw)) throw new InvalidField('Label', 'labels', raw === undefined ? 'missing_field' : 'invalid');
  return raw.map((entry: unknown) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : entry;
    if (typeof name !== 'string' || name === '') throw new InvalidField('Label', 'labels', 'invalid');
    return name;
  });
}

function addLabels(ctx: RouteContext, repo: Repo, issue: Issue, names: readonly string[]): void {
  for (const name of names) {
    const label = ctx.state.ensureLabel(repo, name);
    if (issue.labels.some((existing) => existing.toLowerCase() === name.toLowerCase())) continue;
    issue.labels.push(label.name);
    ctx.state.recordEvent(issue, ctx.actor, 'labeled', { label: { name: label.name, color: label.color } });
  }
}

function removeLabels(ctx: RouteContext, repo: Repo, issue: Issue, keep: (name: string) => boolean): void {
  for (const name of issue.labels.filter((existing) => !keep(existing))) {
    ctx.state.recordEvent(issue, ctx.actor, 'unlabeled', { label: { name, color: repo.labels.get(name.toLowerCase())?.color ?? '' } });
  }
  issue.labels = issue.labels.filter(keep);
}

function replaceLabels(ctx: RouteContext, repo: Repo, issue: Issue, wanted: readonly string[]): void {
  removeLabels(ctx, repo, issue, (name) => wanted.some((want) => want.toLowerCase() === name.toLowerCase()));
  addLabels(ctx, repo, issue, wanted);
}

function setAssignees(ctx: RouteContext, issue: Issue, wanted: readonly string[]): void {
  for (const login of wanted.filter((name) => !issue.assignees.includes(name))) ctx.state.recordEvent(issue, ctx.actor, 'assigned', { assignee: login });
  for (const login of issue.assignees.filter((name) => !wanted.includes(name))) ctx.state.recordEvent(issue, ctx.actor, 'unassigned', { assignee: login });
  issue.assignees = [...new Set(wanted)];
}

function validColor(ctx: RouteContext): string | undefined {
  const color = optionalString(ctx.body, 'Label', 'color')?.replace(/^#/, '');
  if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) throw new InvalidField('Label', 'color', 'invalid');
  return color;
}

function withLabel(ctx: RouteContext, then: (repo: Repo, label: Label) => Reply): Reply {
  return withRepo(ctx, (repo) => {
    const label = repo.labels.get((ctx.params.name ?? '').toLowerCase());
    return label ? then(repo, label) : notFound();
  });
}

/** GitHub's issue list filters: `state` (open, closed, all; default open) and `labels` (comma-separated, all of them). */
function listedIssues(ctx: RouteContext, repo: Repo): Issue[] | undefined {
  const state = ctx.url.searchParams.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) return undefined;
  const labels = (ctx.url.searchParams.get('labels') ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  return [...repo.issues.values()]
    .filter((issue) => state === 'all' || issue.state === state)
    .filter((issue) => labels.every((wanted) => issue.labels.some((name) => name.toLowerCase() === wanted)))
    .sort((a, b) => b.number - a.number); // newest first, GitHub's default
}

export const issueRoutes: Route[] = [
  {
    // Pull requests are issues too, and GitHub lists them here.
    method: 'GET', path: '/repos/{owner}/{repo}/issues', name: 'issues.listForRepo',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const issues = listedIssues(ctx, repo);
        return issues ? paginate(issues.map((issue) => issueObject(repo, issue)), ctx.url) : validationFailed('Issue', 'state', 'invalid');
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}', name: 'issues.get',
    handle: (ctx) => withIssue(ctx, 'issue_number', (repo, issue) => ok(issueObject(repo, issue))),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/issues', name: 'issues.create', contentCreating: true,
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const title = requireString(ctx.body, 'Issue', 'title');
        const issue = ctx.state.newIssue(repo, { title, body: optionalString(ctx.body, 'Issue', 'body') ?? null, user: ctx.actor, labels: stringList(ctx.body, 'Issue', 'labels') });
        setAssignees(ctx, issue, stringList(ctx.body, 'Issue', 'assignees'));
        return ok(issueObject(repo, issue), 201);
      }),
  },
  {
    method: 'PATCH', path: '/repos/{owner}/{repo}/issues/{issue_number}', name: 'issues.update',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        issue.title = optionalString(ctx.body, 'Issue', 'title') ?? issue.title;
        if (ctx.body.body !== undefined) issue.body = optionalString(ctx.body, 'Issue', 'body') ?? null;
        const state = optionalString(ctx.body, 'Issue', 'state');
        if (state !== undefined && state !== 'open' && state !== 'closed') return validationFailed('Issue', 'state', 'invalid');
        if (state && state !== issue.state) {
          issue.state = state;
          issue.closed_at = state === 'closed' ? ctx.state.timestamp() : null;
          ctx.state.recordEvent(issue, ctx.actor, state === 'closed' ? 'closed' : 'reopened');
        }
        if (ctx.body.labels !== undefined) {
          replaceLabels(ctx, repo, issue, stringList(ctx.body, 'Issue', 'labels'));
        }
        if (ctx.body.assignees !== undefined) setAssignees(ctx, issue, stringList(ctx.body, 'Issue', 'assignees'));
        issue.updated_at = ctx.state.timestamp();
        return ok(issueObject(repo, issue));
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', name: 'issues.listComments',
    handle: (ctx) => withIssue(ctx, 'issue_number', (repo, issue) => paginate(issue.comments.map((comment) => commentObject(repo, comment)), ctx.url)),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', name: 'issues.createComment', contentCreating: true,
    handle: (ctx) => withIssue(ctx, 'issue_number', (repo, issue) => ok(commentObject(repo, ctx.state.addComment(repo.owner, repo.name, issue.number, ctx.actor, commentBody(ctx))), 201)),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}', name: 'issues.getComment',
    handle: (ctx) => withComment(ctx, (repo, comment) => ok(commentObject(repo, comment))),
  },
  {
    method: 'PATCH', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}', name: 'issues.updateComment',
    handle: (ctx) =>
      withComment(ctx, (repo, comment) => {
        comment.body = commentBody(ctx);
        comment.updated_at = ctx.state.timestamp();
        return ok(commentObject(repo, comment));
      }),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', name: 'reactions.createForIssueComment', contentCreating: true,
    handle: (ctx) =>
      withComment(ctx, (_repo, comment) => {
        const content = requireString(ctx.body, 'Reaction', 'content');
        if (!REACTIONS.has(content)) return validationFailed('Reaction', 'content', 'invalid');
        // The same reaction by the same user is not added twice: GitHub answers 200 with the existing one.
        const existing = comment.reactions.find((reaction) => reaction.user === ctx.actor && reaction.content === content);
        if (existing) return ok(reactionObject(existing));
        const reaction = { id: ctx.state.newId(), user: ctx.actor, content, created_at: ctx.state.timestamp() };
        comment.reactions.push(reaction);
        return ok(reactionObject(reaction), 201);
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels', name: 'issues.listLabelsOnIssue',
    handle: (ctx) => withIssue(ctx, 'issue_number', (repo, issue) => paginate(labelsOf(repo, issue), ctx.url)),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels', name: 'issues.addLabels',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        addLabels(ctx, repo, issue, requestedLabels(ctx));
        return ok(labelsOf(repo, issue));
      }),
  },
  {
    method: 'PUT', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels', name: 'issues.setLabels',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        replaceLabels(ctx, repo, issue, requestedLabels(ctx));
        return ok(labelsOf(repo, issue));
      }),
  },
  {
    method: 'DELETE', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', name: 'issues.removeLabel',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        const target = (ctx.params.name ?? '').toLowerCase();
        if (!issue.labels.some((name) => name.toLowerCase() === target)) return githubError(404, 'Label does not exist');
        removeLabels(ctx, repo, issue, (name) => name.toLowerCase() !== target);
        return ok(labelsOf(repo, issue));
      }),
  },
  {
    method: 'DELETE', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels', name: 'issues.removeAllLabels',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        removeLabels(ctx, repo, issue, () => false);
        return noContent;
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/labels', name: 'issues.listLabelsForRepo',
    handle: (ctx) => withRepo(ctx, (repo) => paginate([...repo.labels.values()].map((label) => labelObject(repo, label)), ctx.url)),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/labels/{name}', name: 'issues.getLabel',
    handle: (ctx) => withLabel(ctx, (repo, label) => ok(labelObject(repo, label))),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/labels', name: 'issues.createLabel',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const name = requireString(ctx.body, 'Label', 'name');
        if (repo.labels.has(name.toLowerCase())) return validationFailed('Label', 'name', 'already_exists');
        const label = ctx.state.ensureLabel(repo, name, validColor(ctx), optionalString(ctx.body, 'Label', 'description') ?? null);
        return ok(labelObject(repo, label), 201);
      }),
  },
  {
    method: 'PATCH', path: '/repos/{owner}/{repo}/labels/{name}', name: 'issues.updateLabel',
    handle: (ctx) =>
      withLabel(ctx, (repo, label) => {
        label.color = validColor(ctx) ?? label.color;
        label.description = optionalString(ctx.body, 'Label', 'description') ?? label.description;
        return ok(labelObject(repo, label));
      }),
  },
  {
    method: 'DELETE', path: '/repos/{owner}/{repo}/labels/{name}', name: 'issues.deleteLabel',
    handle: (ctx) =>
      withLabel(ctx, (repo, label) => {
        repo.labels.delete(label.name.toLowerCase());
        for (const issue of repo.issues.values()) issue.labels = issue.labels.filter((existing) => existing !== label.name);
        return noContent;
      }),
  },
  {
    method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/assignees', name: 'issues.addAssignees',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        setAssignees(ctx, issue, [...issue.assignees, ...stringList(ctx.body, 'Issue', 'assignees')]);
        return ok(issueObject(repo, issue), 201);
      }),
  },
  {
    method: 'DELETE', path: '/repos/{owner}/{repo}/issues/{issue_number}/assignees', name: 'issues.removeAssignees',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (repo, issue) => {
        const removed = stringList(ctx.body, 'Issue', 'assignees');
        setAssignees(ctx, issue, issue.assignees.filter((login) => !removed.includes(login)));
        return ok(issueObject(repo, issue));
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/events', name: 'issues.listEvents',
    handle: (ctx) =>
      withIssue(ctx, 'issue_number', (_repo, issue) =>
        paginate(
          issue.events.map(({ actor, assignee, requested_reviewer, requested_team, ...event }) => ({
            ...event,
            actor: userObject(actor),
            ...(assignee ? { assignee: userObject(assignee) } : {}),
            ...(requested_reviewer ? { requested_reviewer: userObject(requested_reviewer) } : {}),
            ...(requested_team ? { requested_team: { slug: requested_team, name: requested_team } } : {}),
          })),
          ctx.url,
        ),
      ),
  },
];
