/** Every command's help text, the overall usage, and the one way a command reports a usage error (exit 2). */
import { EXIT, type CliIo } from './io.js';

interface CommandHelp {
  synopsis: string;
  summary: string;
  options: string[];
}

export const COMMAND_HELP: Record<string, CommandHelp> = {
  validate: {
    synopsis: 'hitl validate [FILE] [--org FILE]',
    summary: 'Checks a .hitl.yml (default ./.hitl.yml) and prints each problem as file:line:col. Exit 0 valid, 1 invalid, 2 usage.',
    options: ['--org FILE      the organisation\'s .hitl.yml (from its .github repository) that FILE overrides'],
  },
  plan: {
    synopsis: 'hitl plan [--base REF] [--head REF] [--label L]... [--title T] [--config FILE] [--json]',
    summary: 'What HITL would require of the diff base...head in this checkout: workflow, checkpoints, approvers, criteria, escalation. Offline.',
    options: [
      '--base REF      the pull request\'s base (default: the upstream, else origin/HEAD, else HEAD~1); its .hitl.yml applies',
      '--head REF      the pull request\'s head (default HEAD)',
      '--label L       a label the pull request would carry (repeatable)',
      '--title T       its title (default: the head commit\'s subject)',
      '--config FILE   a draft .hitl.yml to use instead of the base\'s (nothing is committed)',
      '--json          the plan as JSON',
    ],
  },
  backtest: {
    synopsis: 'hitl backtest [--since 90d] [--branch REF] [--config FILE] [--against FILE] [--json]',
    summary: 'The policy over every change merged into the default branch in a window: workflow shares, checkpoints and why, review load, largest changes. Offline, git only.',
    options: [
      '--since WHEN    a duration back from now (90d, 12w) or an ISO date (default 90d)',
      '--branch REF    the branch (default origin/HEAD, else HEAD); its .hitl.yml applies',
      '--config FILE   a draft .hitl.yml to use instead of the branch\'s',
      '--against FILE  a second .hitl.yml: lists every change the two would treat differently, and why',
      '--json          the report as JSON',
    ],
  },
  schema: {
    synopsis: 'hitl schema',
    summary: 'Prints the JSON Schema of .hitl.yml (with a description per key, for editors).',
    options: [],
  },
  report: {
    synopsis: 'hitl report [--since 30d] [--weeks 8] [--format md|json]',
    summary: 'The success metrics from the audit log in Redis (REDIS_URL, HITL_REDIS_PREFIX), for a weekly post.',
    options: [
      '--since WHEN    how far back the metrics reach (e.g. 7d, 30d, 12w; at most 366d); default 30d',
      '--weeks N       weeks in the median approval-time series, 2 to 26; default 8',
      '--format F      md (a Markdown table to post) or json; default md',
    ],
  },
  demo: {
    synopsis: 'hitl demo [--once]   (npm run demo [-- --once])',
    summary: 'The whole app on this machine, no GitHub App needed: a local GitHub stand-in, Redis (REDIS_URL, else a private redis-server) and a narrated story of pull requests, escalation, a bypass and deployments; then the dashboard\'s address and token, until Ctrl-C.',
    options: [
      '--once          exit after the story: 0 when every step happened as expected, 1 when one did not',
      'PORT            (environment) where the app listens (default 3000, or a free port when 3000 is taken)',
    ],
  },
  'audit export': {
    synopsis: 'hitl audit export [--since 30d|ISO] [--until ISO] [--repo owner/name]',
    summary: 'The audit log in Redis (REDIS_URL, HITL_REDIS_PREFIX) as JSON Lines, oldest first.',
    options: [],
  },
};

/** One command's help: synopsis, what it does, its options. */
export function helpOf(command: string): string {
  const help = COMMAND_HELP[command]!;
  return [`Usage: ${help.synopsis}`, '', help.summary, ...(help.options.length > 0 ? ['', 'Options:', ...help.options.map((o) => `  ${o}`)] : [])].join('\n');
}

export const USAGE = [
  'Usage:',
  ...Object.values(COMMAND_HELP).map((h) => `  ${h.synopsis}`),
  '  hitl help [COMMAND]    this text, or one command\'s options (also: hitl COMMAND --help)',
  '  hitl --version',
].join('\n');

/** Exit 2 with the message and the usage of `command` (of every command when undefined). */
export function usageError(io: CliIo, message: string, command?: string): number {
  io.err(`hitl: ${message}\n\n${command !== undefined && Object.hasOwn(COMMAND_HELP, command) ? helpOf(command) : USAGE}`);
  return EXIT.usage;
}
