import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseCommands } from '../../src/commands/parse.js';

const PIECES = ['/', '/approve', '/reject', '/bypass', '/hold', 'approve', ' ', '   ', '    ', '\t', '\n', '\r\n', '> ', '```', '~~~',
  '<!--', '-->', '\uFF0F', '\u200D', '\u202E', '\uFEFF', '\u00A0', 'а', 'security_review', 'x', '!', '`'];
const commentArb = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
);
const APPROVE_LINE = /^ {0,3}\/approve/im;

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
});
