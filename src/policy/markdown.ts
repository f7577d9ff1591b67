/**
 * The lines of a GitHub comment or description that a reader sees as prose: lines inside fenced
 * code and HTML comments are dropped. Both commands and ticked criteria are read from these, so
 * nothing hidden or quoted as code can act.
 */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
/** HTML comments are invisible on GitHub (an unclosed one hides the rest of the text). */
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

export function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of text.replace(HTML_COMMENT, '').split(/\r?\n/)) {
    if (fence !== undefined) {
      // CommonMark: only a run of the same character, at least as long, closes the fence.
      const close = FENCE_OPEN.exec(line)?.[1];
      if (close !== undefined && close[0] === fence[0] && close.length >= fence.length && line.trim() === close) fence = undefined;
      continue;
    }
    const open = FENCE_OPEN.exec(line)?.[1];
    if (open !== undefined) {
      fence = open;
      continue;
    }
    lines.push(line);
  }
  return lines;
}
