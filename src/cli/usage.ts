/** The usage text and the one way a subcommand reports a usage error (exit 2). */
import { EXIT, type CliIo } from './io.js';

export const USAGE = `Usage:
  hitl validate [file] [--org file]   check a .hitl.yml (default ./.hitl.yml); exit 0 valid, 1 invalid, 2 usage
  hitl plan [--base REF] [--head REF] [--label L]... [--title T] [--json]
                                      what HITL would require of the diff base...head in this checkout
  hitl schema                         print the JSON Schema of .hitl.yml
  hitl help                           this text`;

export function usageError(io: CliIo, message: string): number {
  io.err(`hitl: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}
