/**
 * Slash-commands in a PR comment, one per line (product.md §4). Lines inside fenced or indented
 * code, HTML comments and quotes are not commands. Only a plain ASCII "/" at the start of a line starts one;
 * look-alike characters and invisible ones make a line that is not a command. Pure.
 */
import { proseLines } from '../policy/markdown.js';

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
const COMMAND_LINE = /^ {0,3}\/([a-z]+)(?:[ \t]+(.*))?$/i;
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
 * The commands of a comment body, in order. Lines that are not HITL commands (prose, other
 * bots' commands such as `/retest`) are skipped silently.
 */
export function parseCommands(body: string, knownCheckpoints: Iterable<string> = []): ParsedCommand[] {
  if (body.length > MAX_COMMENT_CHARS) return [];
  const known = new Set([...knownCheckpoints].map((c) => c.toLowerCase()));
  const commands: ParsedCommand[] = [];
  for (const rawLine of proseLines(body)) {
    // trimEnd, not /\s+$/: that regex is quadratic on a long line with many runs of spaces.
    const match = COMMAND_LINE.exec(rawLine.trimEnd());
    if (!match) continue;
    const verb = match[1]!.toLowerCase();
    if (!VERBS.has(verb)) continue;
    const rest = clean(match[2]);
    const text = `/${verb}${rest ? ` ${rest}` : ''}`.slice(0, 200);
    commands.push({ ...parseLine(verb, rest, known), text });
    if (commands.length >= MAX_COMMANDS_PER_COMMENT) break;
  }
  return commands;
}
