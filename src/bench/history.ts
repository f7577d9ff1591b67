/**
 * A synthetic git history for `hitl backtest`: `changes` pull requests merged into `main`, half
 * as GitHub merge commits ("Merge pull request #N from …" with the title in the body), half as
 * squash commits ("Title (#N)"), each touching a few source files and now and then a docs page,
 * an auth file or a lockfile. Written with one `git fast-import`, so thousands of commits take
 * seconds. Deterministic: the same arguments give the same commits.
 */
import { execFileSync } from 'node:child_process';

export interface HistoryOptions {
  changes: number;
  /** Committer time of the first change, ms since epoch; the others follow `spacingMs` apart. */
  startMs: number;
  spacingMs: number;
}

const IDENT = 'Bench <bench@example.com>';

function data(text: string): string {
  return `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
}

const lines = (count: number, word: string) => Array.from({ length: count }, (_, i) => `${word} ${i}`).join('\n') + '\n';

/** The files pull request `n` writes (path → content), chosen by a small deterministic generator. */
function filesOf(n: number, next: () => number): Record<string, string> {
  const files: Record<string, string> = {};
  const sources = 1 + (next() % 6);
  for (let i = 0; i < sources; i++) files[`src/mod${next() % 40}/file${next() % 25}.ts`] = lines(5 + (next() % 120), `pr${n}`);
  if (n % 7 === 0) files[`docs/page${n % 30}.md`] = lines(20, `doc${n}`);
  if (n % 11 === 0) files[`src/auth/session${n % 5}.ts`] = lines(30, `auth${n}`);
  if (n % 13 === 0) files['package-lock.json'] = lines(400 + (next() % 900), `lock${n}`);
  return files;
}

/** Initialises a repository in `dir` (which must exist and be empty) and writes the history into `main`. */
export function generateHistory(dir: string, options: HistoryOptions): void {
  let seed = 7;
  // The high bits: a power-of-two LCG's low bits repeat with short periods.
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) >> 8;
  const stream: string[] = [];
  let mark = 0;
  const at = (ms: number) => `${Math.floor(ms / 1000)} +0000`;
  const commit = (ref: string, ms: number, message: string, parents: string[], files: Record<string, string>) => {
    const id = `:${++mark}`;
    stream.push(`commit ${ref}\nmark ${id}\nauthor ${IDENT} ${at(ms)}\ncommitter ${IDENT} ${at(ms)}\n${data(message)}`);
    if (parents[0]) stream.push(`from ${parents[0]}\n`);
    for (const parent of parents.slice(1)) stream.push(`merge ${parent}\n`);
    for (const [path, text] of Object.entries(files)) stream.push(`M 100644 inline ${path}\n${data(text)}`);
    stream.push('\n');
    return id;
  };
  // A year before the first change: outside any window the bench or a test asks about.
  let main = commit('refs/heads/main', options.startMs - 365 * 86_400_000, 'Initial commit', [], { 'README.md': '# bench\n' });
  for (let n = 1; n <= options.changes; n++) {
    const ms = options.startMs + (n - 1) * options.spacingMs;
    const files = filesOf(n, next);
    const title = `Change ${n}: update ${Object.keys(files)[0]}`;
    if (n % 2 === 0) {
      const topic = commit(`refs/heads/topic${n}`, ms - 60_000, `work on ${title}`, [main], files);
      main = commit('refs/heads/main', ms, `Merge pull request #${n} from acme/topic${n}\n\n${title}\n`, [main, topic], files);
    } else {
      main = commit('refs/heads/main', ms, `${title} (#${n})\n`, [main], files);
    }
  }
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: stream.join(''), maxBuffer: 64 * 1024 * 1024 });
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir });
}
