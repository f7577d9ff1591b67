/**
 * `hitl demo [--once]` (`npm run demo`): runs the demo's story, then keeps the app, its dashboard
 * and the stand-in serving until Ctrl-C. With `--once` it stops after the story: exit 0 when every
 * step's expected outcome happened, 1 (naming the steps) when one did not.
 */
import type { CliIo, Subcommand } from '../cli/io.js';
import { EXIT } from '../cli/io.js';
import { startDemo } from './run.js';
import { verdict } from './story.js';

const USAGE = `Usage: hitl demo [--once]   (npm run demo [-- --once])
  The whole app on this machine, no GitHub App needed: a local GitHub stand-in, Redis (REDIS_URL,
  else a private redis-server) and a narrated story of pull requests, escalation, a bypass and
  deployments; then the dashboard's address and token, until Ctrl-C.
  --once   exit after the story: 0 when every step happened as expected, 1 when one did not
  PORT     where the app listens (default 3000, or a free port when 3000 is taken)`;

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export const runDemo: Subcommand = async (argv: string[], io: CliIo) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const unknown = argv.filter((arg) => arg !== '--once');
  if (unknown.length > 0) {
    io.err(`hitl demo: unknown argument ${unknown[0]}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const once = argv.includes('--once');
  const started = Date.now();
  const result = await startDemo({ env: process.env, say: io.out });
  if (!result.ok) {
    io.err(result.error);
    return EXIT.invalid;
  }
  const { demo } = result;
  const { ok, lines } = verdict(demo.outcomes, (Date.now() - started) / 1000);
  io.out('');
  for (const line of lines) (ok ? io.out : io.err)(line);
  if (!once) {
    io.out('');
    io.out(`Dashboard  ${demo.dashboardUrl}   token ${demo.dashboardToken}`);
    io.out(`Metrics    ${demo.appUrl}/metrics`);
    io.out('The app and the stand-in keep running; Ctrl-C stops the demo.');
    await untilSignal();
  }
  await demo.stop();
  return ok ? EXIT.ok : EXIT.invalid;
};
