#!/usr/bin/env node
/** The `hitl` binary: wiring only (see commands.ts for the subcommands). */
import { systemClock } from '../util/clock.js';
import { runCli } from './commands.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
  now: systemClock,
  // A progress bar only where a person watches: never into a pipe, a file or CI logs.
  status: process.stderr.isTTY ? (line) => process.stderr.write(`\r\x1b[K${line}`) : undefined,
});
