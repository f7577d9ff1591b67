/**
 * The vocabulary handlers answer in: a Reply is a status, a JSON body and headers, built by the
 * helpers below in the shapes GitHub documents (error bodies, 422 validation errors, Link pagination).
 */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';

export function ok(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

export const noContent: Reply = { status: 204 };

export function githubError(status: number, message: string, headers?: Record<string, string>): Reply {
  const body = { message, documentation_url: DOCS, status: String(status) };
  return headers ? { status, body, headers } : { status, body };
}

export const notFound = (): Reply => githubError(404, 'Not Found');

/** GitHub's 422: "Validation Failed" with one error per offending field. */
export function validationFailed(resource: string, field: string, code: string, message?: string): Reply {
  const error = message ? { resource, field, code, message } : { resource, field, code };
  return { status: 422, body: { message: 'Validation Failed', errors: [error], documentation_url: DOCS, status: '422' } };
}

/** A request body field check failed; handlers turn it into a 422 instead of crashing. */
export class InvalidField extends Error {
  constructor(readonly resource: string, readonly field: string, readonly code: 'missing_field' | 'invalid') {
    super(`${resource}.${field}: ${code}`);
  }
}

export type Body = Record<string, unknown>;

export function requireString(body: Body, resource: string, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new InvalidField(resource, field, value === undefined ? 'missing_field' : 'invalid');
  return value;
}

export function optionalString(body: Body, resource: string, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidField(resource, field, 'invalid');
  return value;
}

export function stringList(body: Body, resource: string, field: string): string[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new InvalidField(resource, field, 'invalid');
  return value as string[];
}

export function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * GitHub's page-based pagination: `per_page` (default 30, max 100) and `page`, with a Link header
 * carrying absolute first/prev/next/last URLs so `octokit.paginate` can follow it.
 */
export function paginate<T>(items: readonly T[], url: URL): Reply {
  const perPage = Math.min(positiveInt(url.searchParams.get('per_page') ?? undefined) ?? 30, 100);
  const page = positiveInt(url.searchParams.get('page') ?? undefined) ?? 1;
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const pageSlice = items.slice((page - 1) * perPage, page * perPage);
  const linkTo = (target: number, rel: string): string => {
    const next = new URL(url);
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('page', String(target));
    return `<${next.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(linkTo(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(linkTo(page + 1, 'next'), linkTo(lastPage, 'last'));
  if (page > 1) links.push(linkTo(1, 'first'));
  return links.length > 0 ? ok(pageSlice, 200, { link: links.join(', ') }) : ok(pageSlice);
}
