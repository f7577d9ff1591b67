/**
 * User-supplied patterns (trigger titles, path, branch and environment globs) compiled so that
 * no input can make them run long. The patterns come from a repository's `.hitl.yml`; the
 * titles, paths and names they are matched against come from anyone who opens a pull request.
 * A backtracking regex such as `^(\w+\s?)+:`, or picomatch's regex for a glob like
 * `*a*a*a*b`, takes seconds to minutes on a crafted title or path and blocks every
 * installation, so:
 * - titles run on RE2 (re2js), which matches in time linear in the title;
 * - globs whose picomatch regex backtracks at most linearly run as picomatch compiles them
 *   (V8's engine is many times faster than RE2 on short paths); any other glob runs on RE2.
 * Many globs are indexed by their literal prefix or suffix, so a path is tested only against
 * the globs it could match.
 */
import picomatch from 'picomatch';
import { RE2JS } from 're2js';

export type Compiled<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The loader's schema compiles each pattern to validate it and resolveConfig compiles it again;
 * configs are reloaded per version with mostly the same patterns. A bounded cache per pattern
 * text makes the second and later compilations free (RE2 takes about a millisecond each).
 */
function cached<T>(compile: (source: string) => Compiled<T>, limit = 20_000): (source: string) => Compiled<T> {
  const cache = new Map<string, Compiled<T>>();
  return (source) => {
    let compiled = cache.get(source);
    if (compiled === undefined) {
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      compiled = compile(source);
      cache.set(source, compiled);
    }
    return compiled;
  };
}

export interface TitlePattern {
  /** As written in `.hitl.yml`, for reasons and summaries. */
  source: string;
  test(title: string): boolean;
}

/** A title pattern must be a JavaScript regex (what users write) that RE2 can run. */
export const compileTitlePattern = cached((source): Compiled<TitlePattern> => {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    return { ok: false, error: `bad regular expression: ${(error as Error).message}` };
  }
  try {
    const re2 = RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.LOOKBEHINDS);
    return { ok: true, value: { source, test: (title) => re2.test(title) } };
  } catch (error) {
    return { ok: false, error: `regular expression "${source}" needs backtracking (lookahead or a backreference), which could take minutes on a crafted title: ${(error as Error).message}` };
  }
});

/**
 * dot: `*` and `**` match dotfiles (`.github/…`). flags 's': `**` also crosses a newline or a
 * line separator in a file name, which picomatch's default `.` does not (a file named
 * "src/auth/a\nb.ts" would otherwise escape `src/auth/**`).
 */
const PICOMATCH_OPTIONS = { dot: true, flags: 's', windows: false } as const;

/**
 * Whether picomatch's regex for the glob backtracks at most linearly in the path's length: every
 * `*` is confined to one segment and, with one run of stars per segment, ends where its segment
 * does; one `**` then tries each `/` once; one `{…}` multiplies that by its alternatives. Two
 * runs in a segment, two `**` or extglob groups multiply the tries by the path's length.
 */
function backtracksLinearly(glob: string): boolean {
  if (/[()|]/.test(glob)) return false;
  if ((glob.match(/\*\*+/g) ?? []).length > 1 || (glob.match(/\{/g) ?? []).length > 1) return false;
  return glob.split('/').every((segment) => (segment.match(/\*+/g) ?? []).length <= 1);
}

const COMPLEX_GLOB_SYNTAX = 'a glob with several `*` in one segment, several `**` or several `{…}` may use only `*`, `**` (as a whole segment), `?` and `{a,b}` (no `[…]`, extglobs, escapes, ranges or a leading `!` or `./`)';

/**
 * The RE2 regex of a glob outside backtracksLinearly, with picomatch's meaning on the paths git
 * lists (no empty, `.` or `..` segment): `*` any run within a segment, `?` one character of it,
 * a `**` segment any number of segments, `{a,b}` either. Undefined for any other syntax.
 */
function re2SourceOf(glob: string): string | undefined {
  if (/^!|^\.\/|[[\]()\\]/.test(glob)) return undefined;
  const segment = (text: string): string | undefined => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (char === '*') {
        // picomatch reads a `**` inside a segment now as `*`, now as `**`: left to picomatch alone.
        if (text[i + 1] === '*') return undefined;
        out += '[^/]*';
      } else if (char === '?') out += '[^/]';
      else if (char === '{') {
        const close = text.indexOf('}', i);
        const body = close < 0 ? '' : text.slice(i + 1, close);
        if (!body.includes(',') || body.includes('{') || body.includes('..')) return undefined;
        const alternatives = body.split(',').map(segment);
        if (alternatives.some((a) => a === undefined)) return undefined;
        out += `(?:${alternatives.join('|')})`;
        i = close;
      } else if (char === '}') return undefined;
      else out += RE2JS.quote(char);
    }
    return out;
  };
  const parts = glob.split('/').filter((part, i, all) => !(part === '**' && all[i - 1] === '**'));
  let source = '';
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (part === '**') {
      source += parts.length === 1 ? '.*' : i === 0 ? '(?:.*/)?' : last ? '(?:/.*)?' : '/(?:.*/)?';
      continue;
    }
    const translated = segment(part);
    if (translated === undefined) return undefined;
    source += (i > 0 && parts[i - 1] !== '**' ? '/' : '') + translated;
  }
  return `^${source}$`;
}

/** One glob as picomatch would match it (its `input === glob` shortcut included), in linear time. */
export const compileGlob = cached((glob): Compiled<(path: string) => boolean> => {
  let regex: RegExp;
  try {
    regex = picomatch.makeRe(glob, { ...PICOMATCH_OPTIONS, strictBrackets: true });
  } catch (error) {
    return { ok: false, error: `bad glob "${glob}": ${(error as Error).message}` };
  }
  if (backtracksLinearly(glob)) return { ok: true, value: (path) => path !== '' && (path === glob || regex.test(path)) };
  const source = re2SourceOf(glob);
  if (source === undefined) return { ok: false, error: `bad glob "${glob}": ${COMPLEX_GLOB_SYNTAX}, so that no path can make it run long` };
  const re2 = RE2JS.compile(source, RE2JS.DOTALL);
  return { ok: true, value: (path) => path !== '' && (path === glob || re2.test(path)) };
});

interface TrieNode {
  next: Map<number, TrieNode>;
  globs: number[];
}
const trieNode = (): TrieNode => ({ next: new Map(), globs: [] });

/** Characters that stand for themselves in a glob wherever they are. */
const LITERAL = /[A-Za-z0-9_\-./]/;

/**
 * The text every matching path starts with: the glob's literal characters up to its first
 * wildcard, less a trailing "/" (`src/**` matches `src`) and from the first "." or ".."
 * segment on (picomatch drops a leading "./"). A negated glob (`!…`) promises nothing.
 */
function literalPrefix(glob: string): string {
  let end = 0;
  while (end < glob.length && LITERAL.test(glob[end]!)) end++;
  const segments = glob.slice(0, end).split('/');
  const dotted = segments.findIndex((s) => s === '.' || s === '..');
  return (dotted < 0 ? segments : segments.slice(0, dotted)).join('/').replace(/\/+$/, '');
}

/** The text every matching path ends with (trailing slashes aside): literal characters after the last wildcard. */
function literalSuffix(glob: string): string {
  let start = glob.length;
  while (start > 0 && LITERAL.test(glob[start - 1]!) && glob[start - 1] !== '/') start--;
  // An escaped first character may be a regex class (`\d`), not itself.
  if (start > 0 && glob[start - 1] === '\\') start++;
  return glob.slice(Math.min(start, glob.length));
}

function insert(root: TrieNode, key: string, glob: number, reversed: boolean): void {
  let node = root;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(reversed ? key.length - 1 - i : i);
    let child = node.next.get(code);
    if (!child) node.next.set(code, (child = trieNode()));
    node = child;
  }
  node.globs.push(glob);
}

export interface LabelledGlob<L> {
  glob: string;
  label: L;
}

/**
 * Compiles many globs into one function from a path to the labels of the globs it matches, the
 * same answer as testing every glob but testing only candidates: globs filed under a literal
 * prefix or suffix the path has, and those with neither. Throws on a glob compileGlob refuses.
 */
export function indexGlobs<L>(entries: ReadonlyArray<LabelledGlob<L>>): (path: string) => Set<L> {
  const matchers = entries.map(({ glob }) => {
    const compiled = compileGlob(glob);
    if (!compiled.ok) throw new Error(compiled.error);
    return compiled.value;
  });
  const byPrefix = trieNode();
  const bySuffix = trieNode();
  const unindexed: number[] = [];
  entries.forEach(({ glob }, i) => {
    const negated = glob.startsWith('!');
    const prefix = negated ? '' : literalPrefix(glob);
    const suffix = negated ? '' : literalSuffix(glob);
    if (prefix.length > 0 && prefix.length >= suffix.length) insert(byPrefix, prefix, i, false);
    else if (suffix.length > 0) insert(bySuffix, suffix, i, true);
    else unindexed.push(i);
  });

  return (path) => {
    const labels = new Set<L>();
    const test = (candidates: number[]) => {
      for (const i of candidates) {
        const { label } = entries[i]!;
        if (!labels.has(label) && matchers[i]!(path)) labels.add(label);
      }
    };
    test(unindexed);
    let node: TrieNode | undefined = byPrefix;
    for (let i = 0; i < path.length && node; i++) {
      node = node.next.get(path.charCodeAt(i));
      if (node) test(node.globs);
    }
    let end = path.length;
    while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
    node = bySuffix;
    for (let i = end - 1; i >= 0 && node; i--) {
      node = node.next.get(path.charCodeAt(i));
      if (node) test(node.globs);
    }
    return labels;
  };
}

/** Whether any of the globs matches a path that none of `ignore` matches. */
export function compileGlobs(globs: readonly string[], ignore: readonly string[] = []): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const matching = indexGlobs(globs.map((glob) => ({ glob, label: true })));
  const ignored = ignore.length > 0 ? compileGlobs(ignore) : undefined;
  return (path) => matching(path).size > 0 && !ignored?.(path);
}
