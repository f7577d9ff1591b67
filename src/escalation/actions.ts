/**
 * What each step does on GitHub and the channels. Every write is attempted on its own: a
 * failing one is logged and the others still happen; channels run beside the GitHub writes, so
 * a dead receiver delays nothing.
 */
import { notifyChannels, type ChannelSettings } from './channels.js';
import type { GitHubClient } from '../github/client.js';
import { comment, updateComment } from '../github/comments.js';
import { assign, createIssue, updateIssue } from '../github/issues.js';
import { addLabels } from '../github/labels.js';
import { teamMembers } from '../github/people.js';
import { requestReviews } from '../github/reviewers.js';
import { rerunFailedJobs } from '../github/workflow-runs.js';
import { chooseFallback, parseApprover, stepAt } from './ladder.js';
import type { Log } from './log.js';
import { ESCALATED_LABEL, channelMessage, levelNotice, reminderNotice, trackingIssueBody, trackingIssueTitle, type NoticeFacts } from './messages.js';
import type { EscalationStore, ItemState } from './store.js';
import type { Diagnostics } from './types.js';

export interface StepDeps {
  github: GitHubClient;
  store: EscalationStore;
  channels: ChannelSettings;
  log: Log;
  now: number;
}

type Write = [what: string, run: () => Promise<unknown>];

export async function performStep(state: ItemState, level: number, diagnostics: Diagnostics, deps: StepDeps): Promise<void> {
  const facts: NoticeFacts = { target: state, diagnostics, since: state.since, deadline: state.deadline };
  const step = stepAt(state.levels, level);
  const writes = step.kind === 'reminder' ? reminderWrites(state, step.count, facts, deps) : levelWrites(state, step.level, facts, deps);
  const label = step.kind === 'reminder' ? `reminder ${step.count}` : `level ${step.level}`;
  const wantsChannels = level >= state.notify.fromLevel && state.notify.channels.length > 0;
  await Promise.all([
    runEach(writes, label, state, deps.log),
    wantsChannels ? notifyChannels(deps.channels, state.notify.channels, channelMessage(label, level, facts), deps.log) : undefined,
  ]);
}

async function runEach(writes: Write[], label: string, state: ItemState, log: Log): Promise<void> {
  for (const [what, run] of writes) {
    try {
      await run();
    } catch (error) {
      const status = (error as { status?: number }).status;
      log.warn(`escalation ${label} of ${state.owner}/${state.repo}#${state.number} ${state.item}: ${what} failed${status ? ` (HTTP ${status})` : ''}`);
    }
  }
}

const asMention = (name: string): string => (name.startsWith('@') ? name : `@${name}`);

function levelWrites(state: ItemState, level: number, facts: NoticeFacts, deps: StepDeps): Write[] {
  const { github } = deps;
  const { diagnostics } = facts;
  const mentions = diagnostics.roleMentions[level] ?? [];
  switch (level) {
    case 1:
      return state.subject.kind === 'build'
        ? [['re-run the failed jobs', () => rerunFailedJobs(github, state, (state.subject as { runId: number }).runId)]]
        : [['re-request review', () => rerequestReview(state, diagnostics, deps)]];
    case 2:
      return [['notify the developer', () => comment(github, state, state.number, levelNotice(2, [diagnostics.author, ...diagnostics.pendingApprovers].map(asMention), facts))]];
    case 3:
      return [
        ['mention the technical lead', () => comment(github, state, state.number, levelNotice(3, mentions, facts))],
        ['assign the technical lead', () => assignLead(state, mentions, deps)],
        ['label', () => addLabels(github, state, state.number, [ESCALATED_LABEL])],
      ];
    case 4:
      return [
        ['mention management', () => comment(github, state, state.number, levelNotice(4, mentions, facts))],
        // A failing build already has its own issue: that is the tracking issue.
        ...(state.subject.kind === 'build' ? [] : ([['open the tracking issue', () => upsertTrackingIssue(state, mentions, facts, deps)]] as Write[])),
      ];
    default:
      // Levels past the seed's four (a longer configured ladder) call the same people as level 4.
      return [['mention', () => comment(github, state, state.number, levelNotice(level, mentions, facts))]];
  }
}

function reminderWrites(state: ItemState, count: number, facts: NoticeFacts, deps: StepDeps): Write[] {
  const body = reminderNotice(count, deps.now, facts);
  return [
    [
      'remind',
      async () => {
        if (state.reminderCommentId !== undefined) return updateComment(deps.github, state, state.reminderCommentId, body);
        const id = await comment(deps.github, state, state.number, body);
        await deps.store.setOnce(state.id, 'reminderCommentId', id);
      },
    ],
  ];
}

/**
 * Re-requests the pending approvers and adds one more member of their teams: the one asked least
 * recently (never asked first), so a silent reviewer does not hold the item alone.
 */
async function rerequestReview(state: ItemState, diagnostics: Diagnostics, deps: StepDeps): Promise<void> {
  const approvers = diagnostics.pendingApprovers.map(parseApprover);
  const users = approvers.flatMap((a) => (a.kind === 'user' && a.login.toLowerCase() !== diagnostics.author.toLowerCase() ? [a.login] : []));
  const teams = approvers.flatMap((a) => (a.kind === 'team' ? [a] : []));
  const members = await teamMembersOf(teams, deps);
  const fallback = chooseFallback(members, await deps.store.askedAt(state), [diagnostics.author, ...users]);
  const reviewers = fallback ? [...users, fallback] : users;
  await requestReviews(deps.github, state, state.number, reviewers, teams.map((team) => team.slug));
  await deps.store.recordAsked(state, reviewers, deps.now);
}

/** Users named at level 3 are assigned; when the role is only teams, its least recently asked member. */
async function assignLead(state: ItemState, mentions: string[], deps: StepDeps): Promise<void> {
  const named = mentions.map(parseApprover);
  const users = named.flatMap((a) => (a.kind === 'user' ? [a.login] : []));
  const lead = users.length > 0 ? undefined : chooseFallback(await teamMembersOf(named.flatMap((a) => (a.kind === 'team' ? [a] : [])), deps), await deps.store.askedAt(state), []);
  const assignees = lead ? [lead] : users.slice(0, 10);
  await assign(deps.github, state, state.number, assignees);
  await deps.store.recordAsked(state, assignees, deps.now);
}

async function teamMembersOf(teams: Array<{ org: string; slug: string }>, deps: StepDeps): Promise<string[]> {
  const lists = await Promise.all(teams.map((team) => teamMembers(deps.github, team)));
  return [...new Set(lists.flat())];
}

async function upsertTrackingIssue(state: ItemState, mentions: string[], facts: NoticeFacts, deps: StepDeps): Promise<void> {
  const body = trackingIssueBody(mentions, facts, deps.now);
  if (state.trackingIssue !== undefined) return updateIssue(deps.github, state, state.trackingIssue, { body, state: 'open' });
  const issue = await createIssue(deps.github, state, { title: trackingIssueTitle(state), body, labels: [ESCALATED_LABEL] });
  await deps.store.setOnce(state.id, 'trackingIssue', issue.number);
}
