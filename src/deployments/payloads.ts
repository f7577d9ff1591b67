/**
 * The parts of webhook payloads this folder reads, validated: a payload is input like any
 * other, and a missing field gives a clear error instead of a crash deep in a handler.
 */
import { z } from 'zod';

export const RepositorySchema = z.looseObject({
  name: z.string(),
  full_name: z.string(),
  default_branch: z.string(),
  owner: z.looseObject({ login: z.string() }),
});

export const InstallationSchema = z.looseObject({ id: z.number().int() });

const IssueCommentSchema = z.looseObject({
  issue: z.looseObject({
    number: z.number().int().positive(),
    body: z.string().nullish(),
    user: z.looseObject({ login: z.string() }),
    pull_request: z.unknown().optional(),
  }),
  comment: z.looseObject({ user: z.looseObject({ login: z.string(), type: z.string().optional() }) }),
  repository: RepositorySchema,
  installation: InstallationSchema,
});
export type IssueCommentEvent = z.infer<typeof IssueCommentSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The first few problems of a payload, each with its path, in one line. */
export function describeZodError(what: string, error: z.ZodError): string {
  const problems = error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `${what}: ${problems.join('; ')}${error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : ''}`;
}

export function parseWith<T>(schema: z.ZodType<T>, what: string, payload: unknown): Parsed<T> {
  const parsed = schema.safeParse(payload);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: describeZodError(what, parsed.error) };
}

export const parseIssueComment = (payload: unknown): Parsed<IssueCommentEvent> => parseWith(IssueCommentSchema, 'issue_comment payload', payload);

/** The repository a payload is about, as the REST routes name it. */
export const repoRefOf = (repository: z.infer<typeof RepositorySchema>) => ({ owner: repository.owner.login, repo: repository.name });
