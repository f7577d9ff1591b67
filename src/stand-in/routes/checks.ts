/**
 * Check runs with GitHub's validation: conclusion forces `completed`, output limits (65,535
 * characters, 50 annotations per request, which accumulate over updates), at most 3 actions.
 */
import { InvalidField, notFound, ok, optionalString, paginate, requireString, type Body, type Reply } from '../http.js';
import { checkRunObject } from '../render.js';
import { withRepo, type PullIssue, type Route, type RouteContext } from '../router.js';
import type { Annotation, CheckRun, CheckStatus, Repo } from '../state.js';

const STATUSES = new Set<CheckStatus>(['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending']);
const CONCLUSIONS = new Set(['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out']);
const MAX_TEXT = 65_535;
const MAX_ANNOTATIONS_PER_REQUEST = 50;
const MAX_ACTIONS = 3;

const invalid = (field: string): never => {
  throw new InvalidField('CheckRun', field, 'invalid');
};

function textField(body: Body, field: string): string | undefined {
  const value = optionalString(body, 'CheckRun', field);
  if (value !== undefined && value.length > MAX_TEXT) invalid(field);
  return value;
}

function annotationsOf(output: Body): Annotation[] {
  const raw = output.annotations ?? [];
  if (!Array.isArray(raw) || raw.length > MAX_ANNOTATIONS_PER_REQUEST) return invalid('output.annotations');
  return raw.map((entry: unknown) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Body;
    const path = requireString(item, 'CheckRun', 'path');
    const level = requireString(item, 'CheckRun', 'annotation_level');
    if (!['notice', 'warning', 'failure'].includes(level)) invalid('annotation_level');
    const start = item.start_line;
    const end = item.end_line;
    if (typeof start !== 'number' || typeof end !== 'number' || start < 1 || end < start) invalid('start_line');
    const title = optionalString(item, 'CheckRun', 'title');
    return { path, start_line: start as number, end_line: end as number, annotation_level: level, message: requireString(item, 'CheckRun', 'message'), ...(title ? { title } : {}) };
  });
}

function actionsOf(body: Body): unknown[] | undefined {
  const raw = body.actions;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > MAX_ACTIONS) return invalid('actions');
  for (const entry of raw) {
    const action = (typeof entry === 'object' && entry !== null ? entry : {}) as Body;
    const limits: Array<[string, number]> = [['label', 20], ['description', 40], ['identifier', 20]];
    for (const [field, max] of limits) if (requireString(action, 'CheckRun', field).length > max) invalid(`actions.${field}`);
  }
  return raw;
}

/** Applies a create or update body to a run; fields left out keep their value, as GitHub does. */
function applyCheckBody(ctx: RouteContext, run: CheckRun): void {
  const { body } = ctx;
  const status = optionalString(body, 'CheckRun', 'status');
  if (status !== undefined && !STATUSES.has(status as CheckStatus)) invalid('status');
  const conclusion = optionalString(body, 'CheckRun', 'conclusion');
  if (conclusion !== undefined && !CONCLUSIONS.has(conclusion)) invalid('conclusion');
  if (status === 'completed' && conclusion === undefined && run.conclusion === null) throw new InvalidField('CheckRun', 'conclusion', 'missing_field');
  const now = ctx.state.timestamp();
  if (run.status === 'completed') {
    // Kept as they are: GitHub Support says a completed run's status and conclusion are final (a PATCH still updates its output).
  } else if (conclusion !== undefined) {
    run.status = 'completed';
    run.conclusion = conclusion;
    run.completed_at = optionalString(body, 'CheckRun', 'completed_at') ?? now;
  } else if (status !== undefined) {
    run.status = status as CheckStatus;
  }
  if (run.status === 'in_progress' && run.started_at === null) run.started_at = now;
  run.started_at = optionalString(body, 'CheckRun', 'started_at') ?? run.started_at;
  run.details_url = optionalString(body, 'CheckRun', 'details_url') ?? run.details_url;
  run.external_id = optionalString(body, 'CheckRun', 'external_id') ?? run.external_id;
  run.name = optionalString(body, 'CheckRun', 'name') ?? run.name;
  run.actions = actionsOf(body) ?? run.actions;
  if (body.output !== undefined) {
    if (typeof body.output !== 'object' || body.output === null) invalid('output');
    const output = body.output as Body;
    run.output = { title: requireString(output, 'CheckRun', 'title'), summary: requireString(output, 'CheckRun', 'summary'), text: textField(output, 'text') ?? null };
    if (run.output.summary !== null && run.output.summary.length > MAX_TEXT) invalid('output.summary');
    run.annotations.push(...annotationsOf(output));
  }
}

const pullsForSha = (repo: Repo, sha: string): PullIssue[] =>
  [...repo.issues.values()].filter((issue): issue is PullIssue => issue.pull?.head.sha === sha && issue.state === 'open');

function render(ctx: RouteContext, repo: Repo, run: CheckRun) {
  return checkRunObject(repo, run, ctx.state.appId, pullsForSha(repo, run.head_sha));
}

function withCheckRun(ctx: RouteContext, then: (repo: Repo, run: CheckRun) => Reply): Reply {
  return withRepo(ctx, (repo) => {
    const run = repo.checkRuns.find((candidate) => candidate.id === Number(ctx.params.check_run_id));
    return run ? then(repo, run) : notFound();
  });
}

export const checkRoutes: Route[] = [
  {
    method: 'POST', path: '/repos/{owner}/{repo}/check-runs', name: 'checks.create',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const run: CheckRun = {
          id: ctx.state.newId(),
          name: requireString(ctx.body, 'CheckRun', 'name'),
          head_sha: requireString(ctx.body, 'CheckRun', 'head_sha'),
          status: 'queued',
          conclusion: null,
          started_at: ctx.state.timestamp(),
          completed_at: null,
          details_url: null,
          external_id: null,
          output: { title: null, summary: null, text: null },
          annotations: [],
          actions: [],
          updates: 0,
        };
        applyCheckBody(ctx, run);
        repo.checkRuns.push(run);
        return ok(render(ctx, repo, run), 201);
      }),
  },
  {
    method: 'PATCH', path: '/repos/{owner}/{repo}/check-runs/{check_run_id}', name: 'checks.update',
    handle: (ctx) =>
      withCheckRun(ctx, (repo, run) => {
        // Validate on a copy so a rejected update leaves the run as it was.
        const next = structuredClone(run);
        applyCheckBody(ctx, next);
        Object.assign(run, next, { updates: run.updates + 1 });
        return ok(render(ctx, repo, run));
      }),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/check-runs/{check_run_id}', name: 'checks.get',
    handle: (ctx) => withCheckRun(ctx, (repo, run) => ok(render(ctx, repo, run))),
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/commits/{ref}/check-runs', name: 'checks.listForRef',
    handle: (ctx) =>
      withRepo(ctx, (repo) => {
        const ref = ctx.params.ref ?? '';
        const sha = repo.branches.get(ref) ?? ref;
        const query = ctx.url.searchParams;
        const name = query.get('check_name');
        const status = query.get('status');
        let runs = repo.checkRuns.filter((run) => run.head_sha === sha && (name === null || run.name === name) && (status === null || run.status === status));
        // filter=latest (the default) keeps the most recent run of each name.
        if (query.get('filter') !== 'all') runs = runs.filter((run) => !runs.some((other) => other.name === run.name && other.id > run.id));
        runs = [...runs].sort((a, b) => b.id - a.id);
        const page = paginate(runs.map((run) => render(ctx, repo, run)), ctx.url);
        return { ...page, body: { total_count: runs.length, check_runs: page.body } };
      }),
  },
];
