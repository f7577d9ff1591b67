/**
 * The "policy-diff" section of the `hitl` check of a pull request that changes `.hitl.yml`: the
 * other open pull requests its file would gate differently and why, or the file's validation
 * errors. Titles, paths, labels and rule names come from other people's pull requests and from
 * the proposed file: every one is shown as inert text, and the section stays far inside GitHub's
 * 65,535-character summary whatever they hold.
 */
import { formatIssue } from '../config/load.js';
import { CONFIG_FILE } from '../config/types.js';
import type { Outcome, PolicyDiff, PullDifference } from '../policy/difference.js';

export const POLICY_DIFF_HEADING = '### policy-diff';
const MAX_ROWS = 50;
const MAX_ERRORS = 20;
/** The rows' share of the summary: the gate's own table keeps the rest. */
const MAX_ROWS_CHARS = 30_000;
const TITLE_CHARS = 80;
const OUTCOME_CHARS = 150;
const WHY_CHARS = 300;

/**
 * Text as nothing but text in GitHub markdown, on one line: control and direction-changing
 * characters dropped, cut at `max` characters, every ASCII punctuation character escaped (no
 * link, image, HTML, code span, table cell break or emphasis can start; `\@` mentions nobody).
 */
export function inert(text: string, max: number): string {
  const flat = text.replace(/[\p{Cc}\u200b-\u200f\u2028-\u202e\u2066-\u2069]+/gu, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  const cut = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
  return cut.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

const outcomeText = (o: Outcome) => inert(`${o.workflow}${o.checkpoints.length > 0 ? `: ${o.checkpoints.join(', ')}` : ''}`, OUTCOME_CHARS);

const row = (d: PullDifference) => `| #${d.number} ${inert(d.title, TITLE_CHARS)} | ${outcomeText(d.before)} | ${outcomeText(d.after)} | ${inert(d.why.join('; '), WHY_CHARS)} |`;

function differencesTable(differences: readonly PullDifference[]): string[] {
  const rows: string[] = [];
  let chars = 0;
  for (const d of differences) {
    const line = row(d);
    if (rows.length === MAX_ROWS || chars + line.length > MAX_ROWS_CHARS) break;
    rows.push(line);
    chars += line.length + 1;
  }
  const more = differences.length - rows.length;
  return ['| Pull request | Now | Under the proposed file | Why |', '|---|---|---|---|', ...rows, ...(more > 0 ? ['', `… and ${more} more.`] : [])];
}

export function renderPolicyDiff(diff: PolicyDiff): string {
  const out = [POLICY_DIFF_HEADING, ''];
  switch (diff.kind) {
    case 'invalid': {
      out.push(`The proposed \`${CONFIG_FILE}\` is invalid, so no policy-diff is shown (this pull request's own gate is unaffected):`, '');
      out.push(...diff.errors.slice(0, MAX_ERRORS).map((e) => `- ${inert(formatIssue(e, CONFIG_FILE), 500)}`));
      if (diff.errors.length > MAX_ERRORS) out.push(`- … and ${diff.errors.length - MAX_ERRORS} more`);
      break;
    }
    case 'unavailable':
      out.push('The other open pull requests cannot be compared right now (their stored facts could not be read); the next evaluation shows them.');
      break;
    case 'compared': {
      const base = `\`${inert(diff.baseRef, 100)}\``;
      if (diff.orgDefaults) out.push(`This \`${CONFIG_FILE}\` holds the organisation's defaults: only this repository's open pull requests are compared, not those of the repositories that inherit it.`, '');
      if (diff.differences.length === 0) {
        out.push(`Under the proposed \`${CONFIG_FILE}\`, none of the ${diff.compared} other open pull request(s) into ${base} would change workflow or checkpoints.`);
        break;
      }
      out.push(
        `Under the proposed \`${CONFIG_FILE}\`, ${diff.differences.length} of the ${diff.compared} other open pull request(s) into ${base} would change workflow or checkpoints (as of their last evaluation):`,
        '',
        ...differencesTable(diff.differences),
      );
      break;
    }
  }
  return out.join('\n');
}
