/**
 * Criteria are asserted by ticking `- [x] <criterion>` in the PR description, with the
 * config's name (`migration_strategy`) or the same words in prose (`Migration strategy`).
 */
const TICKED = /^\s{0,3}[-*+]\s+\[[xX]\]\s+(.+?)\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;

export function normalizeCriterion(text: string): string {
  return text
    .toLowerCase()
    .replace(/[`*_~-]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The normalised texts of the ticked boxes of a description, skipping fenced code. */
export function tickedCriteria(body: string): string[] {
  const ticked: string[] = [];
  let inFence = false;
  for (const line of body.split(/\r?\n/)) {
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) continue;
    const match = TICKED.exec(line);
    if (match) ticked.push(normalizeCriterion(match[1]!));
  }
  return ticked;
}

/** A box counts when its text is the criterion, or starts with it and goes on after a word break. */
export function isTicked(criterion: string, ticked: readonly string[]): boolean {
  const wanted = normalizeCriterion(criterion);
  return ticked.some((text) => text === wanted || text.startsWith(`${wanted} `));
}
