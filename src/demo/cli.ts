/**
 * `hitl demo [--once]` (`npm run demo`): runs the demo's story, then keeps the app, its dashboard
 * and the stand-in serving until Ctrl-C. With `--once` it stops after the story: exit 0 when every
 * step's expected outcome happened, 1 (naming the steps) when one did not.
 */
import type { CliIo, Subcommand } from '../cli/io.js';
import { EXIT } from '../cli/io.js';
import { helpOf, usageError } from '../cli/usage.js';
import { startDemo } from './run.js';
import { verdict } from './story.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Exit status of a demo stopped by Ctrl-C before its story ended (128 + SIGINT). */
const INTERRUPTED = 130;

const abortedOn = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

export const runDemo: Subcommand = async (argv: string[], io: CliIo) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(helpOf('demo'));
    return EXIT.ok;
  }
  const unknown = argv.filter((arg) => arg !== '--once');
  if (unknown.length > 0) {
    return usageError(io, `demo: unknown argument ${unknown[0]}`, 'demo');
  }
  // Ctrl-C (or a closed terminal) at any moment stops everything the demo started, its
  // redis-server included: that one runs in its own session, where no terminal signal reaches it.
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    return await tell(argv.includes('--once'), interrupt.signal, io);
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
  }
};

async function tell(once: boolean, interrupted: AbortSignal, io: CliIo): Promise<number> {
  const started = Date.now();
  const result = await startDemo({ env: process.env, say: io.out });
  if (!result.ok) {
    io.err(result.error);
    return EXIT.invalid;
  }
  const { demo } = result;
  const outcomes = interrupted.aborted ? [] : await demo.tellStory(interrupted);
  if (interrupted.aborted) {
    io.err('hitl demo: interrupted; stopping');
    await demo.stop();
    return INTERRUPTED;
  }
  const { ok, lines } = verdict(outcomes, (Date.now() - started) / 1000);
  io.out('');
  for (const line of lines) (ok ? io.out : io.err)(line);
  if (!once) {
    io.out('');
    io.out(`Dashboard  ${demo.dashboardUrl}   token ${demo.dashboardToken}`);
    io.out(`Metrics    ${demo.appUrl}/metrics`);
    io.out('The app and the stand-in keep running; Ctrl-C stops the demo.');
    await abortedOn(interrupted);
  }
  await demo.stop();
  return ok ? EXIT.ok : EXIT.invalid;
}
