/** Which maintenance windows are open at a given instant, from their cron or fixed times. */
import { CronExpressionParser } from 'cron-parser';
import type { MaintenanceWindowPolicy } from '../config/types.js';

export interface OpenWindow {
  window: MaintenanceWindowPolicy;
  openedAt: number;
  closesAt: number;
}

/** The latest opening of a window at or before `now`, and when that opening closes. */
export function latestOpening(window: MaintenanceWindowPolicy, now: number): { openedAt: number; closesAt: number } | undefined {
  const schedule = window.schedule;
  if (schedule.kind === 'fixed') return schedule.startMs <= now ? { openedAt: schedule.startMs, closesAt: schedule.endMs } : undefined;
  try {
    // +1 ms so that a window whose start is exactly `now` counts as opened.
    const expression = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: new Date(now + 1) });
    const openedAt = expression.prev().getTime();
    return { openedAt, closesAt: openedAt + schedule.durationMs };
  } catch {
    return undefined;
  }
}

export function openWindows(windows: readonly MaintenanceWindowPolicy[], now: number): OpenWindow[] {
  return windows.flatMap((window) => {
    const opening = latestOpening(window, now);
    return opening && now < opening.closesAt ? [{ window, ...opening }] : [];
  });
}
