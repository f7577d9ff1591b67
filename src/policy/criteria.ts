/**
 * Criteria are asserted by ticking `- [x] <criterion>` in the PR description, with the
 * config's name (`migration_strategy`) or the same words in prose (`Migration strategy`).
 */
import { proseLines } from './markdown.js';

// Greedy `(.+)` then trim: a lazy group before `\s*$` backtracks quadratically on long lines.
const TICKED = /^\s{0,3}[-*+]\s+\[[xX]\]\s+(.+)$/;

export function normalizeCriterion(text: string): string {
  return text
    .toLowerCase()
    .replace(/[`*_~-]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The normalised texts of the ticked boxes a reader sees (not in code, not in HTML comments). */
export function tickedCriteria(body: string): string[] {
  return proseLines(body).flatMap((line) => {
    const match = TICKED.exec(line);
    return match ? [normalizeCriterion(match[1]!.trim())] : [];
  });
}

/** A box counts when its text is the criterion, or starts with it and goes on after a word break. */
export function isTicked(criterion: string, ticked: readonly string[]): boolean {
  const wanted = normalizeCriterion(criterion);
  return ticked.some((text) => text === wanted || text.startsWith(`${wanted} `));
}
