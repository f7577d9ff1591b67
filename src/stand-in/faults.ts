/**
 * Fault injection: rules that make matching calls fail the way GitHub fails (502, 500, a 403
 * secondary rate limit or a 429, both with `retry-after`) for the next N calls, for a span of
 * time, or until cleared. A faulted call changes no state.
 */
import { githubError, type Reply } from './http.js';

export type FaultKind = 'bad-gateway' | 'server-error' | 'secondary-rate-limit' | 'too-many-requests';

export interface FaultMatch {
  method?: string;
  /** A substring of, or a pattern for, the path without `/api/v3` (e.g. `/check-runs`). */
  path?: string | RegExp;
  /** An Octokit-style endpoint name, e.g. `checks.update`. */
  route?: string;
  installationId?: number;
}

export interface FaultSpec {
  kind: FaultKind;
  /** Fail this many matching calls, then stop. */
  times?: number;
  /** Fail matching calls for this long from now (stand-in clock). */
  forMs?: number;
  match?: FaultMatch;
  /** The `retry-after` header of rate-limit faults, in seconds (default 1). */
  retryAfterSeconds?: number;
}

export interface FaultHandle {
  /** How many calls this rule has failed so far. */
  readonly hits: number;
  clear(): void;
}

export interface CallIdentity {
  method: string;
  path: string;
  route: string;
  installationId: number | null;
}

interface ActiveRule {
  spec: FaultSpec;
  until: number;
  hits: number;
}

/** Mirrors the message the throttling plugin recognises (`/\bsecondary rate\b/i`). */
export const SECONDARY_LIMIT_MESSAGE = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits';

export function rateLimitReply(status: 403 | 429, retryAfterSeconds: number): Reply {
  return {
    status,
    body: { message: SECONDARY_LIMIT_MESSAGE, documentation_url: RATE_LIMIT_DOCS, status: String(status) },
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  };
}

export function faultReply(kind: FaultKind, retryAfterSeconds: number): Reply {
  switch (kind) {
    case 'bad-gateway':
      return githubError(502, 'Server Error');
    case 'server-error':
      return githubError(500, 'Internal Server Error');
    case 'secondary-rate-limit':
      return rateLimitReply(403, retryAfterSeconds);
    case 'too-many-requests':
      return rateLimitReply(429, retryAfterSeconds);
  }
}

function matches(match: FaultMatch | undefined, call: CallIdentity): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== call.method) return false;
  if (match.route !== undefined && match.route !== call.route) return false;
  if (match.installationId !== undefined && match.installationId !== call.installationId) return false;
  if (match.path instanceof RegExp) return match.path.test(call.path);
  return match.path === undefined || call.path.includes(match.path);
}

export class Faults {
  private rules: ActiveRule[] = [];

  constructor(private readonly now: () => number) {}

  inject(spec: FaultSpec): FaultHandle {
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) throw new RangeError('stand-in fault: times must be a positive integer');
    const rule: ActiveRule = { spec, until: spec.forMs === undefined ? Infinity : this.now() + spec.forMs, hits: 0 };
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      clear: () => {
        this.rules = this.rules.filter((candidate) => candidate !== rule);
      },
    };
  }

  /** The fault answer for this call, if a rule claims it (the oldest matching rule wins). */
  take(call: CallIdentity): { kind: FaultKind; reply: Reply } | null {
    const now = this.now();
    this.rules = this.rules.filter((rule) => rule.until > now && (rule.spec.times === undefined || rule.hits < rule.spec.times));
    const rule = this.rules.find((candidate) => matches(candidate.spec.match, call));
    if (!rule) return null;
    rule.hits++;
    return { kind: rule.spec.kind, reply: faultReply(rule.spec.kind, rule.spec.retryAfterSeconds ?? 1) };
  }

  clear(): void {
    this.rules = [];
  }
}
