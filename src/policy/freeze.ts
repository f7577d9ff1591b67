/**
 * Deployment freezes: named periods when no deployment to a gated environment may go out.
 * A freeze has the maintenance window's schedule (cron + duration + timezone, or start + end),
 * so it is read by the same schedule code (policy/windows.ts).
 */
import type { WindowSchedule } from '../config/types.js';
import { openWindows } from './windows.js';

export interface FreezeWindow {
  name: string;
  schedule: WindowSchedule;
}

export interface OpenFreeze {
  name: string;
  closesAt: number;
}

/** The freezes in force at `now`, the one that closes last first (that is when deploying may resume). */
export function openFreezes(freezes: readonly FreezeWindow[], now: number): OpenFreeze[] {
  // openWindows reads only the schedule; a freeze approves nothing, hence no auto_approve.
  const asWindows = freezes.map((freeze) => ({ ...freeze, autoApprove: [] }));
  return openWindows(asWindows, now)
    .map((open) => ({ name: open.window.name, closesAt: open.closesAt }))
    .sort((a, b) => b.closesAt - a.closesAt);
}
