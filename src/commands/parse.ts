/**
 * Slash-commands in a PR comment, one per line (product.md §4). A command is a line of a
 * top-level paragraph as GitHub renders it (src/policy/gfm.ts): never in a quote, a list, code,
 * HTML (comments included), a table, a link or emphasis. Only a literal ASCII "/" at the start of
 * the line starts one, and the verb is literal too; look-alike characters, invisible ones, escapes
 * and entities make a line that is not a command. Pure.
 */
import { paragraphLines, type ParagraphLine } from '../policy/gfm.js';

export type Command =
  | { kind: 'approve'; checkpoint?: string }
  | { kind: 'reject'; checkpoint?: string; reason: string }
  | { kind: 'hold' }
  | { kind: 'unhold' }
  | { kind: 'escalate'; reason: string }
  | { kind: 'ack' }
  | { kind: 'bypass'; justification: string }
  | { kind: 'unbypass' }
  | { kind: 'status' }
  | { kind: 'help' };

type LineResult = { ok: true; command: Command } | { ok: false; error: string };
export type ParsedCommand = LineResult & { text: string };

/** Comments longer than GitHub's own limit are not read at all; at most this many commands each. */
export const MAX_COMMENT_CHARS = 65_536;
export const MAX_COMMANDS_PER_COMMENT = 10;
const MAX_REASON_CHARS = 1_000;

const VERBS = new Set(['approve', 'reject', 'hold', 'unhold', 'escalate', 'ack', 'bypass', 'unbypass', 'hitl']);
const COMMAND_LINE = /^\/([a-z]+)(?:[ \t]+(.*))?$/i;
/** A paragraph whose source has no line starting with "/" and a letter holds no command: it is not parsed further. */
const MAY_HOLD_COMMAND = /^[ \t]*\/[a-z]/im;
const CHECKPOINT = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

export const HELP_TEXT = [
  '`/approve [checkpoint]`: approve every checkpoint you may approve, or just the one named',
  '`/reject [checkpoint] <reason>`: reject, with the reason',
  '`/hold` and `/unhold`: keep the gate shut, and release it',
  '`/escalate [reason]`: move the escalation to its next level now',
  '`/ack`: you are on it; pauses the escalation for one level',
  '`/bypass <justification>` and `/unbypass`: emergency override (allowed roles only)',
  '`/hitl status`, `/hitl help`',
].join('\n');

function clean(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_REASON_CHARS);
}

function parseLine(verb: string, rest: string, knownCheckpoints: ReadonlySet<string>): LineResult {
  const words = rest.split(' ').filter(Boolean);
  const first = words[0];
  const namesCheckpoint = first !== undefined && CHECKPOINT.test(first) && knownCheckpoints.has(first.toLowerCase());
  switch (verb) {
    case 'approve':
      if (words.length > 1) return { ok: false, error: '`/approve` takes at most one checkpoint name' };
      if (first !== undefined && !CHECKPOINT.test(first)) return { ok: false, error: `"${first}" is not a checkpoint name` };
      return { ok: true, command: first === undefined ? { kind: 'approve' } : { kind: 'approve', checkpoint: first.toLowerCase() } };
    case 'reject': {
      const reason = clean((namesCheckpoint ? words.slice(1) : words).join(' '));
      if (!reason) return { ok: false, error: '`/reject` needs a reason: `/reject [checkpoint] <reason>`' };
      return { ok: true, command: namesCheckpoint ? { kind: 'reject', checkpoint: first!.toLowerCase(), reason } : { kind: 'reject', reason } };
    }
    case 'hold':
      if (first?.toLowerCase() === 'cancel') return { ok: true, command: { kind: 'unhold' } };
      return { ok: true, command: { kind: 'hold' } };
    case 'unhold':
      return { ok: true, command: { kind: 'unhold' } };
    case 'escalate':
      return { ok: true, command: { kind: 'escalate', reason: clean(rest) } };
    case 'ack':
      return { ok: true, command: { kind: 'ack' } };
    case 'bypass': {
      const justification = clean(rest);
      if (!justification) return { ok: false, error: '`/bypass` needs a justification: `/bypass <why this cannot wait>`' };
      return { ok: true, command: { kind: 'bypass', justification } };
    }
    case 'unbypass':
      return { ok: true, command: { kind: 'unbypass' } };
    default: {
      const sub = first?.toLowerCase();
      if (sub === 'status') return { ok: true, command: { kind: 'status' } };
      if (sub === 'help' || sub === undefined) return { ok: true, command: { kind: 'help' } };
      return { ok: false, error: `unknown command \`/hitl ${first}\`; try \`/hitl help\`` };
    }
  }
}

/**
 * Every evaluation re-reads a PR's comments, and one hostile 64 KiB comment costs up to tenths of a second of
 * markdown parsing (npm run bench): the candidate lines of recent bodies are remembered, up to a
 * total size, so the same comments are not parsed again on every event.
 */
const REMEMBERED_CHARS = 4 * 2 ** 20;
const remembered = new Map<string, ParagraphLine[]>();
let rememberedChars = 0;

function candidateLines(body: string): ParagraphLine[] {
  if (!MAY_HOLD_COMMAND.test(body)) return []; // most comments: no line starts with "/", no parse
  const known = remembered.get(body);
  if (known) return known;
  const lines = paragraphLines(body, (source) => MAY_HOLD_COMMAND.test(source)).filter((line) => line.lead.startsWith('/'));
  remembered.set(body, lines);
  rememberedChars += body.length;
  for (const oldest of remembered.keys()) {
    if (rememberedChars <= REMEMBERED_CHARS) break;
    remembered.delete(oldest);
    rememberedChars -= oldest.length;
  }
  return lines;
}

/**
 * The commands of a comment body, in order. Lines that are not HITL commands (prose, other
 * bots' commands such as `/retest`) are skipped silently.
 */
export function parseCommands(body: string, knownCheckpoints: Iterable<string> = []): ParsedCommand[] {
  if (body.length > MAX_COMMENT_CHARS) return [];
  const known = new Set([...knownCheckpoints].map((c) => c.toLowerCase()));
  const commands: ParsedCommand[] = [];
  for (const line of candidateLines(body)) {
    // trimEnd, not /\s+$/: that regex is quadratic on a long line with many runs of spaces.
    const match = COMMAND_LINE.exec(line.text.trimEnd());
    if (!match) continue;
    const verb = match[1]!.toLowerCase();
    // The verb must be written out: `/appr&#111;ve` renders as /approve but was not typed as one.
    if (!VERBS.has(verb) || line.lead.slice(0, verb.length + 1).toLowerCase() !== `/${verb}`) continue;
    const rest = clean(match[2]);
    const text = `/${verb}${rest ? ` ${rest}` : ''}`.slice(0, 200);
    commands.push({ ...parseLine(verb, rest, known), text });
    if (commands.length >= MAX_COMMANDS_PER_COMMENT) break;
  }
  return commands;
}
