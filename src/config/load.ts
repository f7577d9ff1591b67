/**
 * Turns `.hitl.yml` text into a ResolvedConfig or a list of issues, each with its line and
 * column. Never throws: any text, however broken, gives a result.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { resolveConfig, type ResolveResult } from './resolve.js';
import { HitlFileSchema, knownKeysAt, type HitlFile } from './schema.js';
import { didYouMean } from './suggest.js';
import type { ConfigIssue, ConfigSource } from './types.js';

/** Larger files are refused before parsing: a config is a page of YAML, not a payload. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export interface ParsedFile {
  file?: HitlFile;
  issues: ConfigIssue[];
  locate: (path: Array<string | number>) => { line: number; column: number } | undefined;
}

export function parseConfigFile(text: string, source: ConfigSource = 'repository'): ParsedFile {
  const none = () => undefined;
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    return { issues: [{ severity: 'error', message: `the file is larger than ${MAX_CONFIG_BYTES / 1024} KiB`, path: [], source, line: 1, column: 1 }], locate: none };
  }
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    // logLevel 'error': the yaml package would otherwise print its own warnings to stderr.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    return { issues: [{ severity: 'error', message: `YAML: ${(error as Error).message}`, path: [], source, line: 1, column: 1 }], locate: none };
  }
  const at = (offset: number | undefined) => (offset === undefined ? undefined : { line: lineCounter.linePos(offset).line, column: lineCounter.linePos(offset).col });
  const locate = (path: Array<string | number>) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        // For a missing or bad value, point at its key where there is one.
        return at(depth === path.length ? keyOffset(doc, path) ?? node.range[0] : node.range[0]);
      }
    }
    return undefined;
  };

  const yamlIssues = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'DUPLICATE_KEY')].map((e): ConfigIssue => {
    const pos = at(e.pos[0]);
    const message = e.code === 'DUPLICATE_KEY' ? `duplicate key "${keyAt(text, e.pos[0])}"` : firstLine(e.message);
    return { severity: 'error', message: `YAML: ${message}`, path: [], source, line: pos?.line, column: pos?.column };
  });
  if (yamlIssues.length > 0) return { issues: yamlIssues, locate };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return { issues: [{ severity: 'error', message: `YAML: ${(error as Error).message}`, path: [], source, line: 1, column: 1 }], locate };
  }
  if (data === null || data === undefined) return { file: {}, issues: [], locate };

  const parsed = HitlFileSchema.safeParse(data, { error: plainTypeError });
  if (!parsed.success) {
    return { issues: parsed.error.issues.map((issue) => toIssue(issue, source, locate)), locate };
  }
  return { file: parsed.data, issues: [], locate };
}

function toIssue(issue: z.core.$ZodIssue, source: ConfigSource, locate: ParsedFile['locate']): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"${didYouMean(k, known)}`).join(', ')}`;
    const keyPath = [...path, issue.keys[0]!];
    const pos = locate(keyPath);
    return { severity: 'error', message: where(path, message), path: keyPath, source, line: pos?.line, column: pos?.column };
  }
  if (issue.code === 'invalid_union') message = 'expected a name or a list of names';
  if (issue.code === 'invalid_key') {
    const key = String(path[path.length - 1]);
    message = `"${key}" is not a valid name: ${issue.issues[0]?.message ?? 'bad key'}`;
  }
  const pos = locate(path);
  return { severity: 'error', message: where(path, message), path, source, line: pos?.line, column: pos?.column };
}

/** zod's "expected object, received null" in the words of a YAML file. */
const YAML_TYPE: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };
function plainTypeError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const input: unknown = issue.input;
  const got = input === null || input === undefined ? 'nothing' : Array.isArray(input) ? 'a list' : YAML_TYPE[typeof input] ?? typeof input;
  return `expected ${YAML_TYPE[issue.expected] ?? issue.expected}, got ${got}`;
}

const where = (path: Array<string | number>, message: string) => (path.length > 0 ? `${path.join('.')}: ${message}` : message);
/** The key written at an offset (yaml reports only where a duplicate key starts). */
const keyAt = (text: string, offset: number) => (/^[^:\n]*/.exec(text.slice(offset, offset + 200))?.[0] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
const firstLine = (text: string) => text.split('\n')[0] ?? text;

function keyOffset(doc: Document, path: Array<string | number>): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!parent || !('items' in (parent as object))) return undefined;
  const items = (parent as { items: Array<{ key?: unknown }> }).items;
  const last = path[path.length - 1];
  for (const item of items) {
    const key = item.key;
    if (isNode(key) && (key as { value?: unknown }).value === last && key.range) return key.range[0];
  }
  return undefined;
}

export interface LoadInput {
  repository?: string;
  organization?: string;
}

/** Parses both layers, then merges and resolves them; issues carry the line of the file they come from. */
export function loadConfig(input: LoadInput): ResolveResult {
  const repo = input.repository === undefined ? undefined : parseConfigFile(input.repository, 'repository');
  const org = input.organization === undefined ? undefined : parseConfigFile(input.organization, 'organization');
  const parseIssues = [...(org?.issues ?? []), ...(repo?.issues ?? [])];
  if (parseIssues.length > 0) return { ok: false, errors: parseIssues, warnings: [] };
  const result = resolveConfig({ repository: repo?.file, organization: org?.file });
  const place = (issue: ConfigIssue): ConfigIssue => {
    const file = issue.source === 'repository' ? repo : issue.source === 'organization' ? org : undefined;
    const pos = file?.locate(issue.path);
    return { ...issue, line: pos?.line, column: pos?.column };
  };
  return result.ok
    ? { ...result, warnings: result.warnings.map(place) }
    : { ok: false, errors: result.errors.map(place), warnings: result.warnings.map(place) };
}

/** The file an issue is in, as people call it. */
export function issueFile(issue: ConfigIssue, fileName = '.hitl.yml', orgFileName = `<org>/.github/${fileName}`): string {
  return issue.source === 'organization' ? orgFileName : issue.source === 'built-in' ? '(built-in defaults)' : fileName;
}

/** `file:line:column: message`, the form editors and CI annotations understand. */
export function formatIssue(issue: ConfigIssue, fileName = '.hitl.yml', orgFileName?: string): string {
  const name = issueFile(issue, fileName, orgFileName);
  const position = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`;
  return `${name}${position}: ${issue.severity}: ${issue.message}`;
}
