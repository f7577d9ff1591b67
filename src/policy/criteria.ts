/**
 * Criteria are asserted by ticking `- [x] <criterion>` in the PR description, with the
 * config's name (`migration_strategy`) or the same words in prose (`Migration strategy`).
 */
import { tickedTaskItems } from './gfm.js';

export function normalizeCriterion(text: string): string {
  return text
    .toLowerCase()
    .replace(/[`*_~-]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The normalised texts of the ticked boxes a reader sees (GitHub task-list items, not in code, HTML or a quote). */
export function tickedCriteria(body: string): string[] {
  return tickedTaskItems(body).map(normalizeCriterion).filter(Boolean);
}

/** A box counts when its text is the criterion, or starts with it and goes on after a word break. */
export function isTicked(criterion: string, ticked: readonly string[]): boolean {
  const wanted = normalizeCriterion(criterion);
  return ticked.some((text) => text === wanted || text.startsWith(`${wanted} `));
}
