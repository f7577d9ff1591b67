import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.js';
import {
  DEFAULT_LEVELS,
  acknowledgedSchedule,
  breachJumpsToTop,
  chooseFallback,
  intervalAt,
  itemId,
  levelsOf,
  roleMentionsOf,
  slaJobId,
  stepAt,
  stepJobId,
} from '../../src/escalation/ladder.js';

describe('escalation ladder', () => {
  it('takes the seed ladder from the built-in config: 5 min, 30 min, 2 h, 4 h', () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error('built-in config must load');
    expect(levelsOf(loaded.config)).toEqual(DEFAULT_LEVELS);
    expect(DEFAULT_LEVELS.map((l) => l.timeoutMs)).toEqual([300_000, 1_800_000, 7_200_000, 14_400_000]);
    expect(levelsOf({ escalation: [] })).toEqual(DEFAULT_LEVELS);
  });

  it('mentions the users and teams of the roles a level notifies, not permission levels', () => {
    const loaded = loadConfig({ repository: 'roles:\n  technical_lead: ["@acme/leads", "lee"]\n' });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const mentions = roleMentionsOf(loaded.config);
    expect(mentions[3]).toEqual(['@acme/leads', '@lee']);
    expect(mentions[4]).toEqual([]); // management falls back to admin permission: nobody to mention
  });

  it('turns steps past the ladder into reminders at the last interval', () => {
    expect(stepAt(DEFAULT_LEVELS, 4)).toEqual({ kind: 'level', level: 4 });
    expect(stepAt(DEFAULT_LEVELS, 6)).toEqual({ kind: 'reminder', count: 2 });
    expect(intervalAt(DEFAULT_LEVELS, 0)).toBe(300_000);
    expect(intervalAt(DEFAULT_LEVELS, 9)).toBe(14_400_000);
  });

  it('pauses one interval of the current level on /ack, never bringing the next step closer', () => {
    expect(acknowledgedSchedule(DEFAULT_LEVELS, 2, 1_000 + 100, 1_000)).toEqual({ until: 1_000 + 1_800_000, nextAt: 1_000 + 1_800_000 });
    expect(acknowledgedSchedule(DEFAULT_LEVELS, 1, 10_000_000, 1_000)).toEqual({ until: 301_000, nextAt: 10_000_000 });
  });

  it('jumps to the top on an SLA breach only when the climb was due before the deadline', () => {
    expect(breachJumpsToTop(100, 200)).toBe(true);
    expect(breachJumpsToTop(200, 200)).toBe(false);
  });

  it('asks the member asked least recently, never the author or someone already asked', () => {
    expect(chooseFallback(['alice', 'bob', 'carol'], { alice: 5, bob: 3 }, [])).toBe('carol');
    expect(chooseFallback(['alice', 'bob', 'carol'], { alice: 5, bob: 3, carol: 9 }, [])).toBe('bob');
    expect(chooseFallback(['Alice', 'bob'], {}, ['alice'])).toBe('bob');
    expect(chooseFallback(['dana'], {}, ['dana'])).toBeUndefined();
  });

  it('names timers with ids BullMQ accepts: no colon, not all digits, stable per item', () => {
    const id = itemId({ installationId: 1, owner: 'Acme', repo: 'W', number: 2, item: 'a:b' });
    expect(id).toBe(itemId({ installationId: 1, owner: 'acme', repo: 'w', number: 2, item: 'a:b' }));
    for (const jobId of [stepJobId(id, 1, 0), slaJobId(id)]) {
      expect(jobId).not.toContain(':');
      expect(jobId).not.toMatch(/^\d+$/);
    }
    expect(stepJobId(id, 2, 1)).not.toBe(stepJobId(id, 2, 0));
  });
});
