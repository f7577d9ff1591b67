/** How the dashboard writes times: UTC, to the minute, the same for every reader. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "Mar 3" for chart axes. */
export function formatDay(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}
