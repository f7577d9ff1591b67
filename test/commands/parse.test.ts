import { describe, expect, it } from '@jest/globals';
import { MAX_COMMANDS_PER_COMMENT, MAX_COMMENT_CHARS, parseCommands, type Command } from '../../src/commands/parse.js';

const CHECKPOINTS = ['security_review', 'breaking_change'];
const commandsOf = (body: string): Command[] =>
  parseCommands(body, CHECKPOINTS).flatMap((parsed) => (parsed.ok ? [parsed.command] : []));
const refusalsOf = (body: string): string[] =>
  parseCommands(body, CHECKPOINTS).flatMap((parsed) => (parsed.ok ? [] : [parsed.error]));

describe('each command', () => {
  it.each([
    ['/approve', { kind: 'approve' }],
    ['/approve Security_Review', { kind: 'approve', checkpoint: 'security_review' }],
    ['/reject the token leaks into logs', { kind: 'reject', reason: 'the token leaks into logs' }],
    ['/reject security_review   token   leaks', { kind: 'reject', checkpoint: 'security_review', reason: 'token leaks' }],
    ['/hold', { kind: 'hold' }],
    ['/hold cancel', { kind: 'unhold' }],
    ['/unhold', { kind: 'unhold' }],
    ['/escalate', { kind: 'escalate', reason: '' }],
    ['/escalate nobody answered in two days', { kind: 'escalate', reason: 'nobody answered in two days' }],
    ['/ack', { kind: 'ack' }],
    ['/bypass prod is down, INC-4312', { kind: 'bypass', justification: 'prod is down, INC-4312' }],
    ['/unbypass', { kind: 'unbypass' }],
    ['/hitl status', { kind: 'status' }],
    ['/hitl help', { kind: 'help' }],
    ['/hitl', { kind: 'help' }],
    ['/APPROVE', { kind: 'approve' }],
    ['   /approve', { kind: 'approve' }],
    ['/approve\r', { kind: 'approve' }],
  ] as Array<[string, Command]>)('%j', (body, command) => {
    expect(parseCommands(body, CHECKPOINTS)).toEqual([expect.objectContaining({ ok: true, command })]);
  });

  it('reads several commands of a comment in order, between prose', () => {
    const body = 'Looks good to me.\n/approve security_review\nBut wait for the load test:\r\n/hold\n';
    expect(commandsOf(body)).toEqual([{ kind: 'approve', checkpoint: 'security_review' }, { kind: 'hold' }]);
  });

  it('keeps a short text of each command for the audit log', () => {
    expect(parseCommands('/reject   too\trisky  ')[0]!.text).toBe('/reject too risky');
  });

  it('skips other bots\' commands and words that only start like ours', () => {
    expect(parseCommands('/retest\n/lgtm\n/approved\n/approve-all\n/holdup', CHECKPOINTS)).toEqual([]);
  });
});

describe('refusals carry the reason', () => {
  it('/reject without a reason, with or without a checkpoint', () => {
    expect(refusalsOf('/reject')).toEqual(['`/reject` needs a reason: `/reject [checkpoint] <reason>`']);
    expect(refusalsOf('/reject security_review')).toEqual(['`/reject` needs a reason: `/reject [checkpoint] <reason>`']);
  });

  it('/bypass without a justification', () => {
    expect(refusalsOf('/bypass   ')).toEqual(['`/bypass` needs a justification: `/bypass <why this cannot wait>`']);
  });

  it('/approve with more than a checkpoint name', () => {
    expect(refusalsOf('/approve security_review please')).toEqual(['`/approve` takes at most one checkpoint name']);
    expect(refusalsOf('/approve sec!')).toEqual(['"sec!" is not a checkpoint name']);
  });

  it('an unknown /hitl subcommand', () => {
    expect(refusalsOf('/hitl approve')).toEqual(['unknown command `/hitl approve`; try `/hitl help`']);
  });

  it('/approve of a well-formed but unknown checkpoint is parsed; the caller refuses it against the config', () => {
    expect(commandsOf('/approve data_migration')).toEqual([{ kind: 'approve', checkpoint: 'data_migration' }]);
  });
});

describe('text that is not a command', () => {
  it.each([
    ['a quote', '> /approve'],
    ['a nested quote', '> > /approve'],
    ['fenced code', '```\n/approve\n```'],
    ['tilde-fenced code', '~~~sh\n/approve\n~~~'],
    ['a fence closed only by the same marker', '```\n~~~\n/approve\n```'],
    ['an unclosed fence', 'see:\n```\n/approve'],
    ['indented code', '    /approve'],
    ['tab-indented code', '\t/approve'],
    ['an HTML comment', '<!--\n/approve\n-->'],
    ['inline code', 'type `/approve` to approve'],
    ['mid-line', 'please /approve this'],
    ['a list item', '- /approve'],
  ])('%s', (_, body) => {
    expect(parseCommands(body, CHECKPOINTS)).toEqual([]);
  });

  it('reads commands after a closed fence again', () => {
    expect(commandsOf('```\n/hold\n```\n/approve')).toEqual([{ kind: 'approve' }]);
  });
});

describe('Unicode tricks yield no command', () => {
  it.each([
    ['fullwidth slash', '\uFF0Fapprove'],
    ['division slash', '\u2215approve'],
    ['fraction slash', '\u2044approve'],
    ['zero-width joiner inside the verb', '/app\u200Drove'],
    ['zero-width space after the slash', '/\u200Bapprove'],
    ['zero-width joiner after the verb', '/approve\u200D'],
    ['right-to-left override before the slash', '\u202E/approve'],
    ['byte-order mark before the slash', '\uFEFF/approve'],
    ['Cyrillic letters in the verb', '/аpprove'],
    ['a no-break space before the slash', '\u00A0/approve'],
  ])('%s', (_, body) => {
    expect(commandsOf(body)).toEqual([]);
  });

  it('an RTL override in a checkpoint name is refused, not approved as another checkpoint', () => {
    expect(parseCommands('/approve \u202Eweiver_ytiruces', CHECKPOINTS)).toEqual([
      expect.objectContaining({ ok: false }),
    ]);
  });
});

describe('huge comments', () => {
  it('a comment over GitHub\'s size limit is not read at all', () => {
    expect(parseCommands(`/approve\n${'x'.repeat(MAX_COMMENT_CHARS)}`)).toEqual([]);
  });

  it('reads at most ten commands of a comment', () => {
    expect(parseCommands('/ack\n'.repeat(50))).toHaveLength(MAX_COMMANDS_PER_COMMENT);
  });

  it('handles a long line of spaces and words without slowing down into a wrong answer', () => {
    const long = `/reject ${'too risky '.repeat(3_000)}`;
    const [parsed] = parseCommands(long);
    const reason = parsed?.ok && parsed.command.kind === 'reject' ? parsed.command.reason : '';
    expect(reason.length).toBeGreaterThan(990);
    expect(reason.length).toBeLessThanOrEqual(1_000);
    expect(parseCommands(`/approve${' \t'.repeat(30_000)}x y`)).toEqual([expect.objectContaining({ ok: false, error: '`/approve` takes at most one checkpoint name' })]);
  });
});

describe('HTML comments', () => {
  it('a line that opens with a comment is HTML, text after the comment included', () => {
    expect(parseCommands('<!---->/approve')).toEqual([]);
    expect(parseCommands('<!-- hidden\n/approve\n-->/approve\n/hold')).toEqual([expect.objectContaining({ command: { kind: 'hold' } })]);
  });

  it('a comment inside a line is dropped from it', () => {
    expect(commandsOf('/approve <!-- ship it -->')).toEqual([{ kind: 'approve' }]);
    expect(commandsOf('x<!-- -->/approve')).toEqual([]);
  });
});

describe('markdown as GitHub renders it: a command is a line of a top-level paragraph', () => {
  it.each([
    ['a quote followed by an unprefixed line (lazy continuation)', '> I agree with\n/approve'],
    ['a lazy line after a nested quote', '> > quoted twice\n/approve'],
    ['a lazy line after a list item', '- first point\n/approve'],
    ['an HTML comment opened mid-line and closed lines later', 'looks fine <!-- not yet\n/approve\n-->'],
    ['an HTML tag whose attribute spans lines', 'see <span title="x\n/approve">this</span>'],
    ['an HTML block', '<div>\n/approve\n</div>'],
    ['a code span over two lines', 'run `make\n/approve` first'],
    ['a link text over two lines', '[the docs\n/approve](https://example.com)'],
    ['an image description over two lines', '![diagram\n/approve](https://example.com/a.png)'],
    ['emphasis over two lines', '*I would\n/approve*'],
    ['strikethrough over two lines', '~~I would\n/approve~~'],
    ['a table row', '| check | state |\n| --- | --- |\n/approve'],
    ['a setext heading', '/approve\n---'],
    ['an ATX heading', '# /approve'],
    ['a link reference definition', '[ship]:\n/approve'],
    ['an escaped slash', '\\/approve'],
    ['an entity for the slash', '&#47;approve'],
    ['an entity inside the verb', '/appr&#111;ve'],
    ['a continuation line indented four spaces', 'see:\n    /approve'],
    ['a continuation line indented by a tab', 'see:\n\t/approve'],
    ['a line that starts with an HTML comment inside a paragraph', 'see:\n<!-- x -->/approve'],
  ])('%s', (_, body) => {
    expect(parseCommands(body, CHECKPOINTS)).toEqual([]);
  });

  it.each([
    ['after a quote closed by a blank line', '> I agree with\n\n/approve'],
    ['after a multi-line HTML comment, on the next line', '<!--\nnotes\n-->\n/approve'],
    ['after a code span closed on its line', '`make` passes\n/approve'],
    ['after a backslash line break', 'all good\\\n/approve'],
    ['after two-space line break', 'all good  \n/approve'],
    ['after an unclosed emphasis mark, which stays a literal "*"', '*not emphasis\n/approve'],
    ['after a table that a blank line ended', '| a |\n| - |\n| b |\n\n/approve'],
    ['indented three spaces as a continuation', 'ok:\n   /approve'],
    ['with an HTML comment after the verb', '/approve <!-- why:\nchecked the migration -->'],
  ])('%s', (_, body) => {
    expect(commandsOf(body)).toEqual([{ kind: 'approve' }]);
  });

  it('an HTML comment opened at the end of a command line hides the lines up to its end', () => {
    expect(commandsOf('/escalate <!--\n/approve\n-->')).toEqual([{ kind: 'escalate', reason: '' }]);
  });

  it('keeps code spans of a reason as written', () => {
    expect(commandsOf('/reject `token` leaks into logs')).toEqual([{ kind: 'reject', reason: '`token` leaks into logs' }]);
  });
});
