/**
 * User patterns (config/patterns.ts): the glob index gives the answer of testing every glob with
 * picomatch, and no title or path, however crafted, makes a pattern backtrack for long.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { compileGlob, compileGlobs, compileTitlePattern, indexGlobs } from '../../src/config/patterns.js';

/** The matcher before the index: every picomatch glob against every path (newlines crossed, see PICOMATCH_OPTIONS). */
const naive = (globs: ReadonlyArray<{ glob: string; label: number }>, path: string): Set<number> =>
  new Set(globs.filter(({ glob }) => picomatch(glob, { dot: true, flags: 's', windows: false })(path)).map(({ label }) => label));

/** Path segments as GitHub lists them: never empty, ".", or "..". Letters collide with the globs' literals on purpose. */
const SEGMENT = fc.oneof(
  fc.constantFrom('src', 'a', 'b', 'ab', 'aab', '.github', 'docs', 'x.ts', 'a.b.ts', 'gen', 'index.test.ts', 'README.md', 'line\nbreak', 'tab\tdir', 'é-ü'),
  fc.stringMatching(/^[ab.x_\-]{1,6}$/).filter((s) => s !== '.' && s !== '..'),
);
const PATH = fc.array(SEGMENT, { minLength: 1, maxLength: 6 }).map((segments) => segments.join('/'));

const GLOB_PART = fc.constantFrom(
  'src', 'a', 'b', 'ab', 'docs', '.github', 'gen', 'x', '.ts', '.md', 'README.md', 'index', '.test', 'é',
  '*', '**', '?', '[ab]', '[!a]', '[a-c]', '{a,b}', '{x,ab}', '{.ts,.md}', '+(a|b)', '@(ab|x)', '*(a)', '\\*', '-',
);
const GLOB_SEGMENT = fc.array(GLOB_PART, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
const GLOB = fc
  .tuple(fc.constantFrom('', '', '', './', '!', '/'), fc.array(GLOB_SEGMENT, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '', '/'))
  .map(([lead, segments, tail]) => `${lead}${segments.join('/')}${tail}`)
  .filter((glob) => compileGlob(glob).ok);

describe('the glob index', () => {
  it('matches exactly the globs that picomatch matches one by one, on random globs and paths', () => {
    fc.assert(
      fc.property(fc.array(GLOB, { minLength: 1, maxLength: 12 }), fc.array(PATH, { minLength: 1, maxLength: 8 }), fc.nat(3), (globs, paths, spread) => {
        const labelled = globs.map((glob, i) => ({ glob, label: i % (spread + 1) }));
        const matching = indexGlobs(labelled);
        for (const path of paths) expect([path, [...matching(path)].sort()]).toEqual([path, [...naive(labelled, path)].sort()]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('matches exactly as picomatch on the index’s own edge cases: prefixes, suffixes, negations, escapes', () => {
    const globs = ['src/**', 'src/*.ts', './docs/**', '!**/*.md', '**/*.test.ts', 'pkg/a*/**', 'a\\*b', '*\\d', 'docs/', 'LICENSE*', '**', 'x/**/y/**/z', '*a*b*.ts'];
    const paths = ['src', 'src/a.ts', 'src/a/b.ts', 'srcx/a.ts', 'docs/a.md', 'a.md', 'x.test.ts', 'pkg/ab/c', 'a*b', 'a5', 'docs', 'LICENSE', 'LICENSE.txt', 'x/y/z', 'x/q/y/r/z', 'aXbY.ts'];
    const labelled = globs.map((glob, label) => ({ glob, label }));
    const matching = indexGlobs(labelled);
    for (const path of paths) expect([path, [...matching(path)].sort((a, b) => a - b)]).toEqual([path, [...naive(labelled, path)].sort((a, b) => a - b)]);
  });

  it('refuses a glob only when picomatch does, or when it needs RE2 and uses syntax outside what RE2 runs as picomatch would', () => {
    const outsideRe2Subset = (glob: string) =>
      /[[\]()\\]|^!|^\.\//.test(glob) || /\{[^,}]*\}|\{[^}]*(\{|\.\.|\/)|^[^{]*\}/.test(glob) || glob.split('/').some((s) => s !== '**' && s.includes('**'));
    fc.assert(
      fc.property(fc.array(GLOB_SEGMENT, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '!', './'), (segments, lead) => {
        const glob = lead + segments.join('/');
        const compiled = compileGlob(glob);
        if (compiled.ok) return;
        const picomatchRefuses = (() => {
          try {
            picomatch.makeRe(glob, { strictBrackets: true });
            return false;
          } catch {
            return true;
          }
        })();
        if (!picomatchRefuses) {
          expect(compiled.error).toContain('may use only `*`, `**` (as a whole segment), `?` and `{a,b}`');
          expect(outsideRe2Subset(glob)).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('runs globs with several wildcards per segment, several ** or several {…} (on RE2) as picomatch does', () => {
    const globs = ['x/**/y/**/z', '*a*b*.ts', '**/*.test.*', '**/test/**', '{src,lib}/**/*.{ts,tsx}', '**/**', '*{a,b}*', '**/{,x}*a*'];
    const paths = ['x/y/z', 'x/q/y/r/z', 'x/y/q/z', 'aXbY.ts', 'ab.ts', 'a/index.test.ts', 'index.test', 'test/a', 'a/test/b', 'test', 'src/a.tsx', 'lib/x/y.ts', 'src/a.js', 'a', 'q/xa', 'q/ba'];
    for (const glob of globs) expect([glob, compileGlob(glob).ok]).toEqual([glob, true]);
    const labelled = globs.map((glob, label) => ({ glob, label }));
    const matching = indexGlobs(labelled);
    for (const path of paths) expect([path, [...matching(path)].sort((a, b) => a - b)]).toEqual([path, [...naive(labelled, path)].sort((a, b) => a - b)]);
  });
});

describe('hostile patterns cost a crafted input nothing', () => {
  it('a glob of many stars answers on a 5,000-character path (picomatch’s regex backtracks for hours)', () => {
    const matches = compileGlobs(['**/*a*a*a*a*a*a*a*a*a*b', 'x/**/a/**/a/**/a/**/b']);
    expect(matches(`${'a'.repeat(5_000)}`)).toBe(false);
    expect(matches(`x/${'a/'.repeat(2_000)}c`)).toBe(false);
    expect(matches(`${'a'.repeat(5_000)}b`)).toBe(true);
  });

  it('a title pattern with nested repetition answers on a long title (the JavaScript engine takes 24 s at 28 characters)', () => {
    const compiled = compileTitlePattern('^(\\w+\\s?)+:');
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.value.test(`${'a'.repeat(28)}!`)).toBe(false);
    expect(compiled.value.test(`${'word '.repeat(51)}!`)).toBe(false);
    expect(compiled.value.test('feat api: x')).toBe(true);
  });

  it('a file name with a newline or a line separator cannot slip out of a ** glob', () => {
    const security = compileGlobs(['src/auth/**']);
    expect(security('src/auth/a\nb.ts')).toBe(true);
    expect(security('src/auth/a\u2028b.ts')).toBe(true);
    expect(security('src/authx/a.ts')).toBe(false);
  });

  it('refuses title patterns that need backtracking, saying why', () => {
    expect(compileTitlePattern('^feat(?=!)')).toMatchObject({ ok: false, error: expect.stringMatching(/^regular expression "\^feat\(\?=!\)" needs backtracking/) });
    expect(compileTitlePattern('^(\\w)\\1')).toMatchObject({ ok: false, error: expect.stringMatching(/needs backtracking/) });
    expect(compileTitlePattern('feat((')).toMatchObject({ ok: false, error: expect.stringMatching(/^bad regular expression: .*Unterminated group$/) });
    expect(compileTitlePattern('^\\w+(\\(.+\\))?!:')).toMatchObject({ ok: true });
  });
});
