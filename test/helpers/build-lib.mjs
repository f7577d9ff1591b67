/**
 * Jest's globalSetup: builds lib/ once, before any test file runs, when it is missing or older
 * than a source (what `npm start` does first), so the tests that spawn the built app or CLI find
 * it current and never rebuild it while another test runs it. A failed build is printed, not
 * thrown: tsc still emits, and the tests that need lib/ report what breaks.
 */
import { spawnSync } from 'node:child_process';

export default function buildLib() {
  spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
}
