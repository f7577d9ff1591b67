/**
 * `npm run bench [-- --quick] [-- --json FILE]`: prints the table of every section (run.ts);
 * `--quick` runs smaller sizes (for CI), `--json FILE` also writes `{ figures, rows }` to FILE.
 */
import { parseArgs } from 'node:util';
import { renderTable, runBench, writeBenchJson } from './run.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
const rows = await runBench({ quick: values.quick });
process.stdout.write(`${renderTable(rows)}\n`);
if (values.json !== undefined) writeBenchJson(values.json, rows);
