import type { Kysely } from 'kysely';
import type { Component } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Database } from '../store/database';
import { checkComponent } from './spec';

/** One published version, as the registry keeps it. */
export interface Published {
  namespace: string;
  owner: string;
  spec: Component;
  createdAt: string;
}

/** `users/alice` + `train` → `users/alice/train`; `shared` + `train` → `shared/train`. */
export function qualified(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** `users/alice/train` → {namespace: users/alice, name: train}; undefined for an unqualified name. */
export function splitQualified(full: string): { namespace: string; name: string } | undefined {
  const m = /^(users\/[^/]+|shared)\/([^/]+)$/.exec(full);
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint/.test(e.message ?? '');
}

/**
 * The server's component registry: `users/<owner>/<name>` (the owner's; only they read it) and
 * `shared/<name>` (published by admins, read by everyone). Versions are immutable.
 */
export class ComponentRegistry {
  constructor(private readonly db: Kysely<Database>) {}

  /** Can `user` read this namespace? */
  static readable(namespace: string, user: string): boolean {
    return namespace === 'shared' || namespace === `users/${user}`;
  }

  async publish(user: { name: string; admin: boolean }, raw: unknown, shared: boolean): Promise<Published> {
    const spec = checkComponent(raw);
    if (shared && !user.admin) throw new AppError(403, 'forbidden', 'Only admins publish to shared/; publish to your own namespace (users/<you>/) instead');
    const namespace = shared ? 'shared' : `users/${user.name}`;
    const createdAt = new Date().toISOString();
    try {
      await this.db
        .insertInto('component_versions')
        .values({ namespace, name: spec.name, version: spec.version, owner: user.name, spec: JSON.stringify(spec), created_at: createdAt })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError(409, 'component_version_exists', `${qualified(namespace, spec.name)}@${spec.version} is already published; published versions never change, publish a new version`, {
          ref: `${qualified(namespace, spec.name)}@${spec.version}`
        });
      }
      throw err;
    }
    return { namespace, owner: user.name, spec, createdAt };
  }

  /** Every version the user can read (their own namespace and shared/). */
  async readable(user: string): Promise<Published[]> {
    const rows = await this.db
      .selectFrom('component_versions')
      .selectAll()
      .where(eb => eb.or([eb('namespace', '=', 'shared'), eb('namespace', '=', `users/${user}`)]))
      .execute();
    return rows.map(r => ({ namespace: r.namespace, owner: r.owner, spec: JSON.parse(r.spec) as Component, createdAt: r.created_at }));
  }

  /** One version, when the user can read it. */
  async get(user: string, namespace: string, name: string, version: string): Promise<Published | undefined> {
    if (!ComponentRegistry.readable(namespace, user)) return undefined;
    const row = await this.db
      .selectFrom('component_versions')
      .selectAll()
      .where('namespace', '=', namespace)
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? { namespace: row.namespace, owner: row.owner, spec: JSON.parse(row.spec) as Component, createdAt: row.created_at } : undefined;
  }
}
