/**
 * Durations as users write them: the seed's long form (`24_hours`, `5_minutes`) and the short
 * form (`90s`, `2h`, `1d`). Parsed to milliseconds; anything else is an error value, never a guess.
 */
const UNIT_MS: Record<string, number> = {
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const DURATION = /^(\d{1,9})(?:_|\s*)([a-z]+)$/;

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

export function parseDuration(text: string): DurationResult {
  const match = DURATION.exec(text.trim().toLowerCase());
  const unit = match ? UNIT_MS[match[2]!] : undefined;
  if (!match || unit === undefined) {
    return { ok: false, error: `"${text}" is not a duration: write e.g. 90s, 30m, 2h, 1d or 24_hours` };
  }
  return { ok: true, ms: Number(match[1]) * unit };
}

/**
 * Milliseconds (whole seconds) in one unit, so the text can be pasted into `.hitl.yml` as it is:
 * the largest unit that divides them exactly (`1d`, `36h`, `65m`, `90s`).
 */
export function formatConfigDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  for (const [unit, size] of [['w', 604_800], ['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Renders milliseconds back in the short form, the `units` largest first (`1d 2h`, `90s` → `1m 30s`). */
export function formatDuration(ms: number, units = 2): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.slice(0, units).join(' ');
}
