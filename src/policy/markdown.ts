/**
 * The lines of a GitHub comment or description that a reader sees as prose: lines inside fenced
 * code and HTML comments are dropped. Both commands and ticked criteria are read from these, so
 * nothing hidden or quoted as code can act.
 */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
/** CommonMark: a line starting with `<!--` opens an HTML block that ends with the line holding `-->`. */
const COMMENT_BLOCK_OPEN = /^ {0,3}<!--/;
/** A comment closed on the same line, inside other text. */
const INLINE_COMMENT = /<!--.*?-->/g;

export function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  let inComment = false;
  for (const line of text.split(/\r?\n/)) {
    if (inComment) {
      inComment = !line.includes('-->');
      continue;
    }
    if (fence !== undefined) {
      // Only a run of the same character, at least as long, closes the fence.
      const close = FENCE_OPEN.exec(line)?.[1];
      if (close !== undefined && close[0] === fence[0] && close.length >= fence.length && line.trim() === close) fence = undefined;
      continue;
    }
    const open = FENCE_OPEN.exec(line)?.[1];
    if (open !== undefined) {
      fence = open;
      continue;
    }
    if (COMMENT_BLOCK_OPEN.test(line)) {
      // The whole line is HTML, text after `-->` included: it is never a command or a checkbox.
      inComment = !line.slice(line.indexOf('<!--') + 4).includes('-->');
      continue;
    }
    lines.push(line.replace(INLINE_COMMENT, ''));
  }
  return lines;
}
