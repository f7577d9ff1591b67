/**
 * The little HTTP vocabulary of HITL's own routes. Probot's addHandler calls each handler with
 * Node's req/res; a handler answers and returns true, or returns false to let the next one try.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export function requestUrl(req: IncomingMessage): URL {
  // Only the path and query matter; the base is a placeholder, never the Host header.
  return new URL(req.url ?? '/', 'http://localhost');
}

/** Headers every HITL page and answer carries: nothing cached, nothing loaded from elsewhere. */
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Pages use inline CSS and inline SVG only, so everything else is forbidden. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function sendHtml(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): true {
  return sendText(res, status, 'text/html; charset=utf-8', body, { 'Content-Security-Policy': PAGE_POLICY, ...headers });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): true {
  return sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(value, null, 2));
}

export function sendText(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): true {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': contentType, ...headers });
  res.end(body);
  return true;
}

export function sendPlain(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): true {
  return sendText(res, status, 'text/plain; charset=utf-8', body, headers);
}

export type BodyResult = { ok: true; body: string } | { ok: false; status: 413 };

/** Reads a small request body (a login form); anything larger is refused, not buffered. */
export async function readSmallBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return { ok: false, status: 413 };
    chunks.push(chunk as Buffer);
  }
  return { ok: true, body: Buffer.concat(chunks).toString('utf8') };
}
