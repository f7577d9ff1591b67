/** The text escalation writes: comments, the tracking issue and channel messages. Pure. */
import type { ChannelMessage } from './channels.js';
import type { Diagnostics, EscalationTarget } from './types.js';

export const ESCALATED_LABEL = 'hitl:escalated';
export const BUILD_FAILING_LABEL = 'hitl:build-failing';

const HEADINGS: Record<number, string> = {
  2: 'developer notification',
  3: 'technical lead review',
  4: 'management escalation',
};

export interface NoticeFacts {
  target: EscalationTarget;
  diagnostics: Diagnostics;
  since: number;
  deadline: number;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A hidden marker so a human (or a later version) can tell which item and step wrote a comment. */
function marker(target: EscalationTarget, step: string): string {
  return `<!-- hitl:escalation item=${target.item} step=${step} -->`;
}

function details(facts: NoticeFacts): string[] {
  const { diagnostics } = facts;
  const missing = diagnostics.missing.length > 0 ? diagnostics.missing.map((line) => `- ${line}`) : ['- (nothing reported)'];
  const commands = diagnostics.commands.map((command) => `- \`${command}\``);
  return [
    `Pending since ${iso(facts.since)}; SLA deadline ${iso(facts.deadline)}.`,
    '',
    '**What is missing**',
    ...missing,
    ...(commands.length > 0 ? ['', '**What would resolve it**', ...commands] : []),
    '',
    '`/ack` (a pending approver: "I am on it") pauses the escalation for one level; `/escalate [reason]` moves it on now.',
  ];
}

/** Levels 2 to 4: who is called, then the diagnostics and the commands that resolve the item. */
export function levelNotice(level: number, mentions: string[], facts: NoticeFacts): string {
  return [
    marker(facts.target, `level-${level}`),
    `### HITL escalation, level ${level} (${HEADINGS[level] ?? 'escalation'}): \`${facts.target.item}\` is still pending`,
    '',
    mentions.length > 0 ? `${[...new Set(mentions)].join(' ')}: please take a look.` : 'Nobody could be mentioned for this level: check `roles` and `escalation_levels` in `.hitl.yml`.',
    '',
    ...details(facts),
  ].join('\n');
}

/** One comment, edited on each reminder, so a long-pending item does not flood the thread. */
export function reminderNotice(count: number, now: number, facts: NoticeFacts): string {
  return [
    marker(facts.target, 'reminder'),
    `### HITL reminder: \`${facts.target.item}\` is still pending`,
    '',
    `Reminder ${count}, last updated ${iso(now)}. Every level has been tried.`,
    '',
    ...details(facts),
  ].join('\n');
}

export function trackingIssueTitle(target: EscalationTarget): string {
  return `HITL escalation: ${target.owner}/${target.repo}#${target.number} ${target.item}`;
}

export function trackingIssueBody(mentions: string[], facts: NoticeFacts, now: number): string {
  return [
    marker(facts.target, 'tracking'),
    `\`${facts.target.item}\` on #${facts.target.number} reached management escalation (level 4). Updated ${iso(now)}.`,
    '',
    mentions.length > 0 ? `Called: ${mentions.join(' ')}` : '',
    '',
    ...details(facts),
    '',
    'HITL updates this issue while the item stays pending; close it once it is resolved.',
  ].join('\n');
}

export function channelMessage(step: string, level: number, facts: NoticeFacts): ChannelMessage {
  const { target, diagnostics } = facts;
  const where = `${target.owner}/${target.repo}#${target.number}`;
  return {
    text: `HITL ${step}: ${target.item} on ${where} is still pending (SLA ${iso(facts.deadline)}). Missing: ${diagnostics.missing.join('; ') || 'n/a'}`,
    event: {
      type: 'escalation',
      level,
      step,
      repository: `${target.owner}/${target.repo}`,
      number: target.number,
      item: target.item,
      url: `https://github.com/${target.owner}/${target.repo}/issues/${target.number}`,
      since: iso(facts.since),
      deadline: iso(facts.deadline),
      missing: diagnostics.missing,
    },
  };
}
