/**
 * What a reader of a GitHub comment or PR description sees, from a CommonMark parser
 * (markdown-it) with the two GitHub extensions that change what is plain prose: tables and
 * strikethrough. Commands are read from the plain lines of top-level paragraphs and criteria from
 * ticked task-list items, so nothing quoted, in code, in HTML (comments included), in a link or
 * in emphasis can act. Pure.
 */
import MarkdownIt from 'markdown-it';
import type { RuleInline } from 'markdown-it/lib/parser_inline.mjs';
import type Token from 'markdown-it/lib/token.mjs';

/** A line of a top-level paragraph that starts with literal text at the paragraph's own level. */
export interface ParagraphLine {
  /** The literal text the line starts with, up to the first escape, entity, code span, tag or link. */
  lead: string;
  /** The whole line as a reader sees it: HTML comments and tags dropped, code spans with their backticks. */
  text: string;
}

/** A built-in inline rule of markdown-it, taken from a probe parser through its public ruler API. */
function builtInInlineRule(name: string): RuleInline {
  const probe = new MarkdownIt('commonmark');
  probe.inline.ruler.enableOnly([name]);
  const [rule] = probe.inline.ruler.getRules('');
  if (!rule) throw new Error(`markdown-it has no inline rule "${name}"`);
  return rule;
}

/**
 * Line breaks remember the indentation of the line they start (the parser skips it): a line
 * indented four spaces or by a tab is not read as a command, as it would be code on its own.
 */
function recordingIndent(rule: RuleInline): RuleInline {
  return (state, silent) => {
    const before = state.tokens.length;
    if (!rule(state, silent)) return false;
    const token = state.tokens[state.tokens.length - 1];
    if (!silent && state.tokens.length > before && (token?.type === 'softbreak' || token?.type === 'hardbreak')) {
      token.meta = { indent: state.src.slice(state.src.lastIndexOf('\n', state.pos - 1) + 1, state.pos) };
    }
    return true;
  };
}

const md = new MarkdownIt('commonmark').enable(['table', 'strikethrough']);
// Inline content is parsed only where it can matter (see below); escapes and entities stay tokens
// of their own, so `\/approve` or `&#47;approve` never look like a literal "/".
md.core.ruler.disable(['inline', 'text_join']);
md.inline.ruler.at('newline', recordingIndent(builtInInlineRule('newline')));
md.inline.ruler.at('escape', recordingIndent(builtInInlineRule('escape')));

function parseInline(source: string): Token[] {
  const tokens: Token[] = [];
  md.inline.parse(source, md, {}, tokens);
  return tokens;
}

/** What a reader sees of one token, at any depth. */
function visibleText(token: Token): string {
  switch (token.type) {
    case 'text':
    case 'text_special':
      return token.content;
    case 'code_inline':
      return `${token.markup}${token.content}${token.markup}`;
    case 'softbreak':
    case 'hardbreak':
      return ' ';
    case 'image':
      return (token.children ?? []).map(visibleText).join('');
    default:
      return ''; // HTML and the open/close marks of links, emphasis and strikethrough
  }
}

const PLAIN_INDENT = /^ {0,3}$/;

/** Splits a paragraph's inline tokens at its own line breaks; breaks inside a link or emphasis do not start a line. */
function linesOf(tokens: readonly Token[]): ParagraphLine[] {
  const lines: ParagraphLine[] = [];
  let depth = 0;
  let line: { plain: boolean; lead: string; text: string; started: boolean } = { plain: true, lead: '', text: '', started: false };
  const finish = () => {
    if (line.plain && line.lead) lines.push({ lead: line.lead, text: line.text });
  };
  for (const token of tokens) {
    if (token.nesting === -1) depth--;
    if (depth === 0 && (token.type === 'softbreak' || token.type === 'hardbreak')) {
      finish();
      const indent: unknown = token.meta?.indent;
      line = { plain: typeof indent === 'string' && PLAIN_INDENT.test(indent), lead: '', text: '', started: false };
    } else {
      if (!line.started) {
        line.started = true;
        line.plain &&= depth === 0 && token.type === 'text';
        if (line.plain) line.lead = token.content;
      }
      line.text += visibleText(token);
    }
    if (token.nesting === 1) depth++;
  }
  finish();
  return lines;
}

/**
 * The lines of top-level paragraphs that start with literal text, in order. `worthReading` sees
 * each paragraph's source first: the inline parse (the costly part) runs only where it says yes.
 */
export function paragraphLines(markdown: string, worthReading: (source: string) => boolean): ParagraphLine[] {
  const blocks = md.parse(markdown, {});
  return blocks.flatMap((token, index) =>
    token.type === 'inline' && token.level === 1 && blocks[index - 1]?.type === 'paragraph_open' && worthReading(token.content)
      ? linesOf(parseInline(token.content))
      : [],
  );
}

/** GitHub's task-list marker, ticked: the first thing in a list item's paragraph, then whitespace. */
const TICKED_MARKER = /^\[[xX]\](?:[ \t\n]+|$)/;

/** The visible texts of the ticked task-list items, nested lists included; items inside a quote are someone else's words. */
export function tickedTaskItems(markdown: string): string[] {
  const blocks = md.parse(markdown, {});
  const ticked: string[] = [];
  let quoteDepth = 0;
  blocks.forEach((token, index) => {
    if (token.type === 'blockquote_open') quoteDepth++;
    if (token.type === 'blockquote_close') quoteDepth--;
    if (quoteDepth > 0 || token.type !== 'list_item_open' || blocks[index + 1]?.type !== 'paragraph_open') return;
    const marker = TICKED_MARKER.exec(blocks[index + 2]?.content ?? '');
    if (marker) ticked.push(parseInline(blocks[index + 2]!.content.slice(marker[0].length)).map(visibleText).join(''));
  });
  return ticked;
}
