import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_COMMANDS_PER_COMMENT, MAX_COMMENT_CHARS, parseCommands } from '../../src/commands/parse.js';
import { tickedCriteria } from '../../src/policy/criteria.js';

const PIECES = ['/', '/approve', '/reject', '/bypass', '/hold', 'approve', ' ', '   ', '    ', '\t', '\n', '\r\n', '> ', '```', '~~~',
  '<!--', '-->', '\uFF0F', '\u200D', '\u202E', '\uFEFF', '\u00A0', 'а', 'security_review', 'x', '!', '`'];
const commentArb = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
);
const APPROVE_LINE = /^ {0,3}\/approve/im;

/** Markdown's costly shapes: nesting and unmatched openers, repeated up to GitHub's comment limit. */
const HOSTILE_PIECES = ['>', '> ', '`', '``', '[', ']', '(', '*', '_', '~~', '<!--', '<a ', '- ', '1. ', '|', '\\', '&#', '![', '[x] ', '\n', ' ', 'a', '/approve'];
const hostileArb = fc
  .tuple(fc.array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 1, maxLength: 8 }), fc.nat({ max: MAX_COMMENT_CHARS }))
  .map(([pattern, cut]) => {
    const unit = pattern.join('');
    const body = unit.repeat(Math.ceil(MAX_COMMENT_CHARS / unit.length)).slice(0, MAX_COMMENT_CHARS);
    return `${body.slice(0, cut)}\n/approve\n${body.slice(cut)}`.slice(0, MAX_COMMENT_CHARS);
  });

describe('the command parser', () => {
  it('never throws and never yields an approve without a line starting with ASCII "/approve"', () => {
    fc.assert(
      fc.property(commentArb, (body) => {
        const parsed = parseCommands(body, ['security_review']);
        if (parsed.some((p) => p.ok && p.command.kind === 'approve')) expect(body).toMatch(APPROVE_LINE);
      }),
      { numRuns: 2_000 },
    );
  });

  // Speed is in `npm run bench` (markdown rows); this pins that the worst shapes parse to an answer.
  it('answers for comments of GitHub’s maximum size made of nested quotes, backticks, brackets and comments', () => {
    fc.assert(
      fc.property(hostileArb, (body) => {
        const parsed = parseCommands(body, ['security_review']);
        expect(parsed.length).toBeLessThanOrEqual(MAX_COMMANDS_PER_COMMENT);
        if (parsed.some((p) => p.ok && p.command.kind === 'approve')) expect(body).toMatch(APPROVE_LINE);
        expect(Array.isArray(tickedCriteria(body))).toBe(true);
      }),
      { numRuns: 25, seed: 11 },
    );
  }, 60_000);

  it('reads a command after 65,536 characters of nesting only where GitHub shows it as a line of its own', () => {
    const nested = '> `'.repeat(21_000);
    expect(parseCommands(`${nested}\n/approve`)).toEqual([]); // a lazy line of the innermost quote
    expect(parseCommands(`${nested}\n\n/approve`)).toEqual([expect.objectContaining({ command: { kind: 'approve' } })]);
    // A run of backticks no other run closes is literal text; at the start of a line it would open a fence.
    expect(parseCommands(`x${'`'.repeat(60_000)}\n/approve`)).toEqual([expect.objectContaining({ command: { kind: 'approve' } })]);
    expect(parseCommands(`${'`'.repeat(60_000)}\n/approve`)).toEqual([]);
  });
});
