/**
 * Per-item escalation state in Redis: one hash per pending item plus an index set, and per
 * repository who was asked to review when. Every transition that races with another worker or
 * app process (create, claim a level, bump the epoch) is one Lua script, so it happens once.
 */
import type { Redis } from 'ioredis';
import type { EnsureInput, EscalationLevel, EscalationSubject, EscalationTarget, NotifySettings, PendingItem } from './types.js';
import { itemId } from './ladder.js';
import { deleteKeysStartingWith } from '../util/redis-keys.js';

export interface ItemState extends PendingItem {
  id: string;
  /** Bumped by /ack, /escalate and an SLA jump: a timer of an older epoch does nothing. */
  epoch: number;
  levels: EscalationLevel[];
  notify: NotifySettings;
  subject: EscalationSubject;
  reminderCommentId?: number;
  trackingIssue?: number;
}

const CREATE = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV))
redis.call('sadd', KEYS[2], KEYS[3])
return 1`;

/** ARGV: epoch, level, nextAt. Claims a level once: only from the same epoch and a lower level; an /ack ends with it. */
const CLAIM = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
if redis.call('hget', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
if tonumber(redis.call('hget', KEYS[1], 'level')) >= tonumber(ARGV[2]) then return 0 end
redis.call('hset', KEYS[1], 'level', ARGV[2], 'nextAt', ARGV[3])
redis.call('hdel', KEYS[1], 'ackBy', 'ackUntil')
return 1`;

/** ARGV: field/value pairs to set along with the new epoch. Returns the new epoch, or -1 when gone. */
const BUMP = `
if redis.call('exists', KEYS[1]) == 0 then return -1 end
local epoch = redis.call('hincrby', KEYS[1], 'epoch', 1)
if #ARGV > 0 then redis.call('hset', KEYS[1], unpack(ARGV)) end
return epoch`;

const REMOVE = `
local fields = redis.call('hgetall', KEYS[1])
redis.call('del', KEYS[1])
redis.call('srem', KEYS[2], KEYS[3])
return fields`;

const SET_IF_PRESENT = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
return redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])`;

export class EscalationStore {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  private itemKey(id: string): string {
    return `${this.namespace}:item:${id}`;
  }
  private get indexKey(): string {
    return `${this.namespace}:pending`;
  }
  private askedKey(target: EscalationTarget): string {
    return `${this.namespace}:asked:${target.installationId}/${target.owner.toLowerCase()}/${target.repo.toLowerCase()}`;
  }

  /**
   * Creates the item at level 0 unless it exists; true when this call created it. Every value is
   * kept under 64 bytes (the ladder is its timeouts; a pull request's subject and the default
   * notify settings are left out, decode restores them) so the hash stays in Redis's compact
   * listpack encoding: about 400 bytes instead of 900.
   */
  async create(input: EnsureInput): Promise<boolean> {
    const id = itemId(input);
    const subject = input.subject ?? { kind: 'pull_request' };
    const fields: Record<string, string | number> = {
      installationId: input.installationId,
      owner: input.owner,
      repo: input.repo,
      number: input.number,
      item: input.item,
      since: input.since,
      deadline: input.deadline,
      escalateAt: input.escalateAt,
      level: 0,
      nextAt: input.escalateAt,
      epoch: 0,
      levels: input.levels.map((l) => l.timeoutMs).join(','),
      ...(isDefaultNotify(input.notify) ? {} : { notify: JSON.stringify(input.notify) }),
      ...(subject.kind === 'pull_request' ? {} : { subject: JSON.stringify(subject) }),
    };
    const created = await this.redis.eval(CREATE, 3, this.itemKey(id), this.indexKey, id, ...Object.entries(fields).flat());
    return created === 1;
  }

  async get(id: string): Promise<ItemState | undefined> {
    return decode(id, await this.redis.hgetall(this.itemKey(id)));
  }

  /** Several items in one pipelined round trip; missing ones are left out. */
  async getMany(ids: readonly string[]): Promise<ItemState[]> {
    if (ids.length === 0) return [];
    const replies = (await this.redis.pipeline(ids.map((id) => ['hgetall', this.itemKey(id)])).exec()) ?? [];
    return ids.flatMap((id, i) => {
      const [error, fields] = replies[i] ?? [];
      if (error) throw error;
      const state = decode(id, (fields ?? {}) as Record<string, string>);
      return state ? [state] : [];
    });
  }

  async list(): Promise<ItemState[]> {
    const ids = await this.redis.smembers(this.indexKey);
    const states = await Promise.all(ids.map((id) => this.get(id)));
    return states.filter((state): state is ItemState => state !== undefined);
  }

  async claim(id: string, epoch: number, level: number, nextAt: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, this.itemKey(id), epoch, level, nextAt)) === 1;
  }

  /** A new epoch with these fields; undefined when the item is gone. */
  async bump(id: string, fields: Record<string, string | number>): Promise<number | undefined> {
    const epoch = Number(await this.redis.eval(BUMP, 1, this.itemKey(id), ...Object.entries(fields).flat()));
    return epoch < 0 ? undefined : epoch;
  }

  /** Sets a field once (SLA breach, reminder comment, tracking issue); false when already set or gone. */
  async setOnce(id: string, field: 'slaBreached' | 'reminderCommentId' | 'trackingIssue', value: number): Promise<boolean> {
    return (await this.redis.eval(SET_IF_PRESENT, 1, this.itemKey(id), field, value)) === 1;
  }

  /** Deletes the item and returns what it was. */
  async remove(id: string): Promise<ItemState | undefined> {
    const flat = (await this.redis.eval(REMOVE, 3, this.itemKey(id), this.indexKey, id)) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return decode(id, fields);
  }

  async askedAt(target: EscalationTarget): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.askedKey(target));
    return Object.fromEntries(Object.entries(raw).map(([login, at]) => [login, Number(at)]));
  }

  async recordAsked(target: EscalationTarget, logins: string[], at: number): Promise<void> {
    if (logins.length === 0) return;
    await this.redis.hset(this.askedKey(target), Object.fromEntries(logins.map((login) => [login.toLowerCase(), at])));
  }
}

function decode(id: string, h: Record<string, string>): ItemState | undefined {
  if (h.item === undefined) return undefined;
  const optionalNumber = (value: string | undefined): number | undefined => (value ? Number(value) : undefined);
  return {
    id,
    installationId: Number(h.installationId),
    owner: h.owner ?? '',
    repo: h.repo ?? '',
    number: Number(h.number),
    item: h.item,
    since: Number(h.since),
    deadline: Number(h.deadline),
    escalateAt: Number(h.escalateAt),
    level: Number(h.level),
    nextAt: Number(h.nextAt),
    epoch: Number(h.epoch),
    slaBreached: h.slaBreached === '1',
    levels: ladderOf(h.levels ?? ''),
    notify: h.notify === undefined ? { ...DEFAULT_NOTIFY, channels: [] } : (JSON.parse(h.notify) as NotifySettings),
    subject: JSON.parse(h.subject ?? '{"kind":"pull_request"}') as EscalationSubject,
    acknowledgedBy: h.ackBy || undefined,
    acknowledgedUntil: optionalNumber(h.ackUntil),
    reminderCommentId: optionalNumber(h.reminderCommentId),
    trackingIssue: optionalNumber(h.trackingIssue),
  };
}

const DEFAULT_NOTIFY: NotifySettings = { channels: [], fromLevel: 3 };
const isDefaultNotify = (notify: NotifySettings) => notify.channels.length === 0 && notify.fromLevel === DEFAULT_NOTIFY.fromLevel;

/** Levels are numbered 1…n (the config allows no gaps): stored as their timeouts, or as JSON by earlier versions. */
function ladderOf(stored: string): EscalationLevel[] {
  if (stored.startsWith('[')) return JSON.parse(stored) as EscalationLevel[];
  return stored === '' ? [] : stored.split(',').map((timeoutMs, i) => ({ level: i + 1, timeoutMs: Number(timeoutMs) }));
}

export function toPendingItem(state: ItemState): PendingItem {
  const { id: _id, epoch: _epoch, levels: _levels, notify: _notify, subject: _subject, reminderCommentId: _r, trackingIssue: _t, ...item } = state;
  return item;
}

/** Deletes every key under `prefix:`; for tests, the bench and uninstall. */
export function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  return deleteKeysStartingWith(redis, `${prefix}:`);
}
