import { AppError } from '../core/errors';
import type { User } from '../store/users';

/** `<version>-b<build id>`: the only tags Conveyor pushes; immutable once pushed. */
export const TAG_PATTERN = /^[0-9]+\.[0-9]+\.[0-9]+-b[0-9a-z]{6,40}$/;
const COMPONENT = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export interface RepoName {
  namespace: 'shared' | 'users';
  /** users/<owner>/…: the one user who may write it. */
  owner?: string;
  name: string;
}

/** Docker repository components are lower case; user names may not be. */
export function userComponent(user: string): string {
  return user.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'user';
}

/** Parses `shared/<name>` or `users/<user>/<name>`; anything else is 400 invalid_repository. */
export function parseRepository(repo: string): RepoName {
  const parts = repo.split('/');
  const ok = parts.every(p => COMPONENT.test(p)) && repo.length <= 200;
  if (ok && parts[0] === 'shared' && parts.length === 2) return { namespace: 'shared', name: parts[1] };
  if (ok && parts[0] === 'users' && parts.length === 3) return { namespace: 'users', owner: parts[1], name: parts[2] };
  throw new AppError(400, 'invalid_repository', `"${repo}" is not a repository: use shared/<name> or users/<user>/<name> (lower case)`, {
    repository: repo
  });
}

/** Refuses `latest` and any tag that is not `<version>-b<build id>`. */
export function checkTag(tag: string): void {
  if (tag === 'latest') {
    throw new AppError(400, 'invalid_tag', 'The tag "latest" is not allowed: tags are <version>-b<build id> and never move', { tag });
  }
  if (!TAG_PATTERN.test(tag)) {
    throw new AppError(400, 'invalid_tag', `"${tag}" is not a tag of the form <version>-b<build id>, e.g. 1.0.0-b3f2a9c1`, {
      tag,
      pattern: TAG_PATTERN.source
    });
  }
}

/** Whether `user` may push to or delete from `repo`: shared/ for admins, users/<me>/ for me. */
export function mayWrite(user: User, repo: RepoName): boolean {
  if (repo.namespace === 'shared') return user.admin;
  return repo.owner === userComponent(user.name);
}

export function checkWrite(user: User, repo: string): RepoName {
  const parsed = parseRepository(repo);
  if (!mayWrite(user, parsed)) {
    throw AppError.forbidden(
      parsed.namespace === 'shared'
        ? `Only admins may write to ${repo}`
        : `${repo} belongs to ${parsed.owner}: you may write only to users/${userComponent(user.name)}/…`
    );
  }
  return parsed;
}

/** A reference `[registry/]repository(:tag|@digest)`, split. */
export interface ParsedRef {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseRef(ref: string): ParsedRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag, digest };
}
