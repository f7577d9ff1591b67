/**
 * The pure side of escalation: which step comes when, what a step is, who to ask next, and the
 * deterministic names of an item's timers. No I/O here; the engine feeds it state and a clock.
 */
import { createHash } from 'node:crypto';
import type { ResolvedConfig, RoleMember } from '../config/types.js';
import type { EscalationLevel, EscalationTarget } from './types.js';

const MINUTE = 60_000;
/** The seed's ladder: 5 minutes, 30 minutes, 2 hours, 4 hours. */
export const DEFAULT_LEVELS: EscalationLevel[] = [
  { level: 1, timeoutMs: 5 * MINUTE },
  { level: 2, timeoutMs: 30 * MINUTE },
  { level: 3, timeoutMs: 120 * MINUTE },
  { level: 4, timeoutMs: 240 * MINUTE },
];

export function levelsOf(config: Pick<ResolvedConfig, 'escalation'>): EscalationLevel[] {
  const levels = config.escalation.map(({ level, timeoutMs }) => ({ level, timeoutMs }));
  return levels.length > 0 ? levels : DEFAULT_LEVELS;
}

/** Role members as GitHub mentions ("@login", "@org/team"), each once; a permission level cannot be mentioned. */
export function mentionsOf(members: readonly RoleMember[]): string[] {
  const mentions = members.flatMap((m) => (m.kind === 'user' ? [`@${m.login}`] : m.kind === 'team' ? [`@${m.org}/${m.slug}`] : []));
  return [...new Set(mentions)];
}

/** The mentions of each level's roles. */
export function roleMentionsOf(config: Pick<ResolvedConfig, 'escalation' | 'roles'>): Record<number, string[]> {
  return Object.fromEntries(config.escalation.map((level) => [level.level, mentionsOf(level.notifyRoles.flatMap((role) => config.roles[role] ?? []))]));
}

export type Step = { kind: 'level'; level: number } | { kind: 'reminder'; count: number };

/** Steps past the configured ladder are reminders at the last interval. */
export function stepAt(levels: EscalationLevel[], level: number): Step {
  return level <= levels.length ? { kind: 'level', level } : { kind: 'reminder', count: level - levels.length };
}

/** How long the item stays at `level` before the next step (level 0, before the climb, counts as level 1). */
export function intervalAt(levels: EscalationLevel[], level: number): number {
  const rung = levels[Math.min(Math.max(level, 1), levels.length) - 1];
  if (!rung) throw new Error('an escalation ladder needs at least one level');
  return rung.timeoutMs;
}

/** `/ack` pauses the climb for one interval of the current level, never bringing the next step closer. */
export function acknowledgedSchedule(levels: EscalationLevel[], level: number, nextAt: number, now: number): { until: number; nextAt: number } {
  const until = now + intervalAt(levels, level);
  return { until, nextAt: Math.max(nextAt, until) };
}

/**
 * An SLA breach jumps to the top level only when the climb was meant to start before the
 * deadline. When escalate_after equals the SLA (the built-in default), the breach is what starts
 * the climb, and it starts at level 1: otherwise levels 1 to 3 would never run by default.
 */
export function breachJumpsToTop(escalateAt: number, deadline: number): boolean {
  return escalateAt < deadline;
}

export function itemKey(target: EscalationTarget): string {
  return `${target.installationId}/${target.owner.toLowerCase()}/${target.repo.toLowerCase()}#${target.number}/${target.item}`;
}

/** A hex digest: safe in BullMQ job ids (no ':') and Redis keys, whatever the checkpoint name holds. */
export function itemId(target: EscalationTarget): string {
  return createHash('sha256').update(itemKey(target)).digest('hex').slice(0, 32);
}

/**
 * 72 bits of the item id in base64url (12 characters): a job's id is stored in its options too,
 * and options of at most 64 bytes keep the job's hash in Redis's compact encoding. Two items
 * pending at once share a job id with a chance of about n² / 2⁷³.
 */
const shortId = (id: string): string => Buffer.from(id.slice(0, 18), 'hex').toString('base64url');

/** One id per (item, step, epoch): a redelivered ensure re-adds the same job, which BullMQ ignores. */
export function stepJobId(id: string, level: number, epoch: number): string {
  return `s${shortId(id)}.${level}.${epoch}`;
}

export function slaJobId(id: string): string {
  return `t${shortId(id)}`;
}

/** A retry of a job that threw, one id per attempt: a second process retrying the same failure adds the same job. */
export function retryJobId(jobId: string, attempt: number): string {
  return `${jobId}.r${attempt}`;
}

/**
 * Level 1's fallback: the candidate asked least recently (never asked first), skipping the
 * author and those already asked this time. Ties keep the candidates' order.
 */
export function chooseFallback(candidates: string[], askedAt: Record<string, number>, exclude: string[]): string | undefined {
  const excluded = new Set(exclude.map((login) => login.toLowerCase()));
  return candidates
    .filter((login) => !excluded.has(login.toLowerCase()))
    .map((login, index) => ({ login, index, at: askedAt[login.toLowerCase()] ?? 0 }))
    .sort((a, b) => a.at - b.at || a.index - b.index)[0]?.login;
}

/** "@org/team" → {org, slug}; "@login" or "login" → a user. */
export function parseApprover(name: string): { kind: 'user'; login: string } | { kind: 'team'; org: string; slug: string } {
  const bare = name.replace(/^@/, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? { kind: 'user', login: bare } : { kind: 'team', org: bare.slice(0, slash), slug: bare.slice(slash + 1) };
}
