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
  /** For the owner: who else reads it. */
  sharedWith?: string[];
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
 * The server's component registry: `users/<owner>/<name>` (the owner's, and of the users it is
 * shared with) and `shared/<name>` (published by admins, read by everyone). Versions are immutable.
 */
export class ComponentRegistry {
  constructor(private readonly db: Kysely<Database>) {}

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

  /** (namespace, name) pairs shared with the user (or with everyone). */
  private async sharedWithUser(user: string): Promise<{ namespace: string; name: string }[]> {
    return this.db.selectFrom('component_shares').select(['namespace', 'name']).where('grantee', 'in', [user, '*']).execute();
  }

  /** Every version the user can read: their own namespace, shared/, and what was shared with them. */
  async readable(user: string): Promise<Published[]> {
    const shared = await this.sharedWithUser(user);
    const rows = await this.db
      .selectFrom('component_versions')
      .selectAll()
      .where(eb =>
        eb.or([
          eb('namespace', '=', 'shared'),
          eb('namespace', '=', `users/${user}`),
          ...shared.map(s => eb.and([eb('namespace', '=', s.namespace), eb('name', '=', s.name)]))
        ])
      )
      .execute();
    const own = rows.filter(r => r.namespace === `users/${user}`);
    const grants = own.length
      ? await this.db.selectFrom('component_shares').selectAll().where('namespace', '=', `users/${user}`).execute()
      : [];
    return rows.map(r => ({
      namespace: r.namespace,
      owner: r.owner,
      spec: JSON.parse(r.spec) as Component,
      createdAt: r.created_at,
      ...(r.namespace === `users/${user}` ? { sharedWith: grants.filter(g => g.name === r.name).map(g => g.grantee).sort() } : {})
    }));
  }

  /**
   * Replaces who else reads the caller's component `users/<caller>/<name>` ('*' = everyone):
   * 404 when the caller has no such component (another user's namespace included).
   */
  async setShares(user: string, namespace: string, name: string, users: string[]): Promise<string[]> {
    if (namespace !== `users/${user}`) throw new AppError(404, 'component_not_found', `You have no component ${namespace}/${name} (only your own users/${user}/… components can be shared)`);
    const any = await this.db.selectFrom('component_versions').select('version').where('namespace', '=', namespace).where('name', '=', name).executeTakeFirst();
    if (!any) throw new AppError(404, 'component_not_found', `You have no component ${namespace}/${name}`);
    const grantees = [...new Set(users.filter(u => u !== user))].sort();
    await this.db.transaction().execute(async tx => {
      await tx.deleteFrom('component_shares').where('namespace', '=', namespace).where('name', '=', name).execute();
      if (grantees.length > 0) await tx.insertInto('component_shares').values(grantees.map(grantee => ({ namespace, name, grantee }))).execute();
    });
    return grantees;
  }
}
