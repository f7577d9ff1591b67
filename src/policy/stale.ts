/**
 * Approvals that still hold after a push (`dismiss_stale_approvals`). Each evaluated head leaves a
 * patch fingerprint (a hash per changed file, from the file list the gate reads anyway); an
 * approval of an older head is compared with the current head through them. Pure; fails closed:
 * a head without a complete fingerprint counts as changed everywhere.
 */
import type { DismissStale, ResolvedConfig } from '../config/types.js';
import { commandComments, headAt, type CommentData, type HeadHistory, type ReviewData } from './evidence.js';
import { MAX_LISTED_FILES, type ChangedFile, type GateItem, type HeadVerdict } from './types.js';

/** What a head's diff was, file by file: equal entries mean the same change of that file. */
export interface PatchFingerprint {
  /** Each file's path, patch id and, for a rename, old path (a list, not an object: a file may be called `__proto__`). */
  files: Array<{ path: string; id: string; from?: string }>;
  /** Every file of the pull request was listed with a patch id: otherwise no file can be shown unchanged. */
  complete: boolean;
}

/** Changed files of a head as listed; `changedFiles`: the pull request's own count, when the payload has it. */
export function fingerprintOf(files: readonly ChangedFile[], changedFiles?: number): PatchFingerprint {
  const listedAll = files.length < MAX_LISTED_FILES && (changedFiles === undefined || changedFiles <= files.length);
  return {
    files: files.map((f) => ({ path: f.path, id: f.patchId ?? '', ...(f.previousPath === undefined ? {} : { from: f.previousPath }) })),
    complete: listedAll && files.every((f) => f.patchId !== undefined),
  };
}

/** Whether a recorded fingerprint says the same as this head's (then it need not be written again). */
export function samePatches(recorded: PatchFingerprint | undefined, current: PatchFingerprint): boolean {
  return recorded !== undefined && recorded.complete === current.complete && differingPaths(recorded.files, current.files).length === 0;
}

/** The paths whose change differs between two heads (both sides of a rename), or undefined when that cannot be known. */
export function changedBetween(approved: PatchFingerprint | undefined, current: PatchFingerprint): string[] | undefined {
  return approved?.complete && current.complete ? differingPaths(approved.files, current.files) : undefined;
}

function differingPaths(beforeFiles: PatchFingerprint['files'], nowFiles: PatchFingerprint['files']): string[] {
  const before = new Map(beforeFiles.map((f) => [f.path, f]));
  const now = new Map(nowFiles.map((f) => [f.path, f]));
  const changed = new Set<string>();
  for (const path of new Set([...before.keys(), ...now.keys()])) {
    const a = before.get(path);
    const b = now.get(path);
    if (a?.id === b?.id && a?.from === b?.from) continue;
    for (const p of [path, a?.from, b?.from]) if (p !== undefined) changed.add(p);
  }
  return [...changed].sort();
}

export const HOLDS: HeadVerdict = { holds: true };
/** No complete fingerprint of the approved head: fail closed. */
export const UNKNOWN: HeadVerdict = { holds: false };

/**
 * Whether approvals of an older head still count for an item, given what changed since
 * (`changed`, undefined when unknown). `firesOn`: the item was switched on by paths alone, and
 * this says which paths switch it on; otherwise any change of the diff matters.
 */
export function headVerdict(rule: DismissStale, firesOn: ((path: string) => boolean) | undefined, changed: readonly string[] | undefined): HeadVerdict {
  if (rule === false) return HOLDS;
  if (changed === undefined) return UNKNOWN;
  // Identical patches (a rebase, a clean merge of the base): nothing the approver saw has changed.
  if (changed.length === 0) return HOLDS;
  const relevant = rule === 'changed_paths' && firesOn ? changed.filter(firesOn) : changed;
  return relevant.length === 0 ? HOLDS : { holds: false, changed: [...relevant] };
}

/** Which paths switch a checkpoint on, when paths alone switched it on this time (label-, title- or size-fired: undefined). */
export function pathRuleOf(item: GateItem, config: ResolvedConfig): ((path: string) => boolean) | undefined {
  if (item.kind !== 'checkpoint' || item.reasons.length === 0 || item.reasons.some((r) => r.kind !== 'path')) return undefined;
  const checkpoint = config.checkpoints.find((c) => c.name === item.name);
  const triggers = (checkpoint?.triggers ?? []).flatMap((name) => (config.triggers[name] ? [config.triggers[name]] : []));
  return (path) => triggers.some((t) => t.matchesPath(path));
}

/**
 * Per gate item, per approved head other than `headSha`: whether its approvals still count.
 * `fingerprints` holds what is recorded of the older heads; a head missing there is unknown.
 */
export function olderHeadVerdicts(
  items: readonly GateItem[],
  config: ResolvedConfig,
  headSha: string,
  approvedHeads: readonly string[],
  fingerprints: { current: PatchFingerprint; older: ReadonlyMap<string, PatchFingerprint> },
): Record<string, Record<string, HeadVerdict>> {
  const changed = new Map(approvedHeads.filter((sha) => sha !== headSha).map((sha) => [sha, changedBetween(fingerprints.older.get(sha), fingerprints.current)]));
  return Object.fromEntries(items.map((item) => {
    const firesOn = pathRuleOf(item, config);
    return [item.name, Object.fromEntries([...changed].map(([sha, files]) => [sha, headVerdict(item.dismissStaleApprovals, firesOn, files)]))];
  }));
}

/** The heads that reviews and command comments approved, other than `headSha`: whose fingerprints are worth reading. */
export function approvedHeadsOf(reviews: readonly ReviewData[], comments: readonly CommentData[], heads: HeadHistory, headSha: string): string[] {
  const shas = new Set<string>();
  for (const r of reviews) if (r.state === 'APPROVED') shas.add(r.commitSha);
  for (const c of commandComments(comments)) shas.add(headAt(heads, c.createdAt));
  shas.delete(headSha);
  return [...shas];
}
