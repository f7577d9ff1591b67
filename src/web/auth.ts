/**
 * The dashboard's door: `Authorization: Bearer <HITL_DASHBOARD_TOKEN>` for scripts, or a session
 * cookie set by the login form for people. The cookie holds an HMAC derived from the token, not
 * the token itself, and changing the token ends every session. All comparisons are over
 * fixed-length digests with timingSafeEqual, so neither content nor length leaks through timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'hitl_session';

export interface DashboardAuth {
  isAuthorized(req: IncomingMessage): boolean;
  tokenMatches(candidate: string): boolean;
  /** Set-Cookie value that signs the browser in; Secure when the request came over HTTPS. */
  sessionCookie(req: IncomingMessage): string;
  clearedCookie(req: IncomingMessage): string;
}

function sameDigest(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
}

function cookieAttributes(req: IncomingMessage): string {
  return `Path=/hitl; HttpOnly; SameSite=Strict${isHttps(req) ? '; Secure' : ''}`;
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function createAuth(token: string): DashboardAuth {
  const session = createHmac('sha256', token).update('hitl dashboard session v1').digest('hex');
  const tokenMatches = (candidate: string) => sameDigest(candidate, token);
  return {
    tokenMatches,
    isAuthorized(req) {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (bearer) return tokenMatches(bearer[1]!.trim());
      const cookie = readCookie(req, SESSION_COOKIE);
      return cookie !== undefined && sameDigest(cookie, session);
    },
    sessionCookie: (req) => `${SESSION_COOKIE}=${session}; ${cookieAttributes(req)}; Max-Age=43200`,
    clearedCookie: (req) => `${SESSION_COOKIE}=; ${cookieAttributes(req)}; Max-Age=0`,
  };
}
