/**
 * How the app names a place on GitHub. A repository is `{ owner, repo }`; a pull request or an
 * issue is the same plus its installation and number: one shape everywhere (the gate, bypass
 * auditing, escalation targets), never converted by hand.
 */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PrAddress extends RepoRef {
  installationId: number;
  number: number;
}

/** Only owner and repo: spreading a whole address into a request would send its other fields as parameters. */
export const repoOf = (at: RepoRef): RepoRef => ({ owner: at.owner, repo: at.repo });

export const fullName = (at: RepoRef): string => `${at.owner}/${at.repo}`;

/** The lower-cased `owner/repo` under which Redis keys of a repository live. */
export const repoKey = (at: RepoRef): string => fullName(at).toLowerCase();

interface AddressedPayload {
  installation?: { id: number };
  repository?: { owner: { login: string }; name: string };
}

/** The pull request or issue `number` of the repository and installation a webhook payload is addressed to. */
export function addressOf(payload: AddressedPayload, number: number): PrAddress {
  if (!payload.installation || !payload.repository) throw new Error('event without installation or repository');
  return { installationId: payload.installation.id, owner: payload.repository.owner.login, repo: payload.repository.name, number };
}

/** The repository a webhook payload is about. */
export function repositoryOf(payload: AddressedPayload): RepoRef {
  if (!payload.repository) throw new Error('event without repository');
  return { owner: payload.repository.owner.login, repo: payload.repository.name };
}
