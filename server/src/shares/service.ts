import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ShareCreate, ShareLink, ShareList, ShareRedeemed } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Database } from '../store/database';
import { isKind, normalizeTarget, targetKey, type ShareKind, type ShareTarget } from './targets';

/** 30 days: the longest a link may live. */
export const MAX_EXPIRY_SECONDS = 30 * 24 * 3600;
const CODE = /^cvs_[A-Za-z0-9_-]{43}$/;
const LINK_ID = /^[0-9a-f]{12}$/;
const MAX_LIST = 500;
/** Failed redemptions a user may make per window before 429 (guessing is hopeless anyway; this stops hammering). */
export const MAX_FAILED_REDEEMS = 20;
const FAILED_WINDOW_MS = 10 * 60 * 1000;

/**
 * Checks that `user` owns the target (through the owning module) and answers the target as it is
 * stored (a dataset tag resolved to its version id). Throws 404 when it is missing or not theirs.
 */
export type OwnerCheck = (user: string, target: ShareTarget) => Promise<ShareTarget>;

export interface ShareServiceDeps {
  db: Kysely<Database>;
  logger: Logger;
  owners: Record<ShareKind, OwnerCheck>;
  clock?: () => Date;
}

type LinkRow = Database['share_links'];
type GrantRow = Database['share_grants'];

export const hashCode = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');

/** A fresh code: 256 random bits, base64url, with a recognisable prefix (like JupyterHub's `sc_`). */
export const newCode = (): string => `cvs_${randomBytes(32).toString('base64url')}`;

const invalidCode = (): AppError => new AppError(404, 'share_code_invalid', 'This share code is not valid');

/** Share links: create (owner of the target only), list with uses, revoke, redeem. */
export class ShareService {
  /** user → times of their recent failed redemptions (in memory: a restart forgets them). */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly deps: ShareServiceDeps) {}

  /** Replaces how ownership of one kind is checked (the workspaces module plugs its own in). */
  setOwnerCheck(kind: ShareKind, check: OwnerCheck): void {
    this.deps.owners[kind] = check;
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  async create(user: string, body: ShareCreate): Promise<{ id: string; code: string; url: string; link: ShareLink }> {
    if (!isKind(body.kind)) throw new AppError(400, 'invalid_share_kind', `Unknown kind ${JSON.stringify(body.kind)}: workspace, run, comparison or dataset`);
    const secs = body.expiresInSeconds;
    if (!Number.isInteger(secs) || secs < 1 || secs > MAX_EXPIRY_SECONDS) {
      throw new AppError(400, 'invalid_share_expiry', `expiresInSeconds is required: 1 to ${MAX_EXPIRY_SECONDS} (30 days)`);
    }
    const scope = body.scope ?? 'view';
    const target = await this.deps.owners[body.kind](user, normalizeTarget(body.kind, body.target));
    const now = this.now();
    const code = newCode();
    const row: LinkRow = {
      id: randomBytes(6).toString('hex'),
      owner: user,
      kind: body.kind,
      target: JSON.stringify(target),
      target_key: targetKey(body.kind, target),
      scope,
      secret_hash: hashCode(code),
      expires_at: new Date(now.getTime() + secs * 1000).toISOString(),
      revoked_at: null,
      created_at: now.toISOString(),
      uses: 0
    };
    await this.deps.db.insertInto('share_links').values(row).execute();
    this.deps.logger.info({ link: row.id, owner: user, kind: row.kind, scope, expiresAt: row.expires_at }, 'share link created');
    return { id: row.id, code, url: `lab?conveyor-share=${code}`, link: this.json(row, [], now) };
  }

  async list(user: string, query: { kind?: string; target?: string }): Promise<ShareList> {
    let q = this.deps.db.selectFrom('share_links').selectAll().where('owner', '=', user);
    if (query.kind !== undefined) {
      if (!isKind(query.kind)) throw new AppError(400, 'invalid_share_kind', `Unknown kind ${JSON.stringify(query.kind)}`);
      q = q.where('kind', '=', query.kind);
      if (query.target !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(query.target);
        } catch {
          throw new AppError(400, 'invalid_share_target', 'target must be JSON, e.g. {"id":"…"}');
        }
        const t = normalizeTarget(query.kind, parsed);
        // A dataset tag is not resolved here: list by version id.
        q = q.where('target_key', '=', targetKey(query.kind, t));
      }
    } else if (query.target !== undefined) {
      throw AppError.invalid('target needs kind');
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(MAX_LIST).execute();
    const grants = rows.length
      ? await this.deps.db.selectFrom('share_grants').selectAll().where('link_id', 'in', rows.map(r => r.id)).orderBy('first_used_at').execute()
      : [];
    const now = this.now();
    return { links: rows.map(r => this.json(r, grants.filter(g => g.link_id === r.id), now)) };
  }

  /** Revokes the owner's link (again: no-op). Another user's or a missing link is 404. */
  async revoke(user: string, id: string): Promise<ShareLink> {
    const row = LINK_ID.test(id) ? await this.deps.db.selectFrom('share_links').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!row || row.owner !== user) throw new AppError(404, 'share_not_found', `No share link ${id}`);
    const now = this.now();
    if (!row.revoked_at) {
      row.revoked_at = now.toISOString();
      await this.deps.db.updateTable('share_links').set({ revoked_at: row.revoked_at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      this.deps.logger.info({ link: id, owner: user }, 'share link revoked');
    }
    const grants = await this.deps.db.selectFrom('share_grants').selectAll().where('link_id', '=', id).execute();
    return this.json(row, grants, now);
  }

  /**
   * Redeems a code for an authenticated user: records a grant (and a use) and answers the target.
   * A malformed or unknown code is 404 either way; expired or revoked is 410.
   */
  async redeem(user: string, code: string): Promise<ShareRedeemed> {
    const now = this.now();
    const recent = (this.failures.get(user) ?? []).filter(t => t > now.getTime() - FAILED_WINDOW_MS);
    if (recent.length >= MAX_FAILED_REDEEMS) {
      throw new AppError(429, 'share_redeem_throttled', 'Too many invalid share codes: try again in a few minutes');
    }
    const row = typeof code === 'string' && CODE.test(code) ? await this.deps.db.selectFrom('share_links').selectAll().where('secret_hash', '=', hashCode(code)).executeTakeFirst() : undefined;
    if (!row) {
      this.failures.set(user, [...recent, now.getTime()]);
      this.deps.logger.warn({ user, failures: recent.length + 1 }, 'invalid share code');
      throw invalidCode();
    }
    if (row.revoked_at) throw new AppError(410, 'share_revoked', 'This share link was revoked');
    if (row.expires_at <= now.toISOString()) throw new AppError(410, 'share_expired', `This share link expired at ${row.expires_at}`);
    const at = now.toISOString();
    await this.deps.db.transaction().execute(async trx => {
      await trx.updateTable('share_links').set({ uses: sql<number>`uses + 1` }).where('id', '=', row.id).execute();
      if (user === row.owner) return;
      await trx
        .insertInto('share_grants')
        .values({ link_id: row.id, user, first_used_at: at, last_used_at: at, uses: 1 })
        .onConflict(oc => oc.columns(['link_id', 'user']).doUpdateSet({ last_used_at: at, uses: sql<number>`share_grants.uses + 1` }))
        .execute();
    });
    this.deps.logger.info({ link: row.id, owner: row.owner, user, kind: row.kind }, 'share link redeemed');
    return { linkId: row.id, owner: row.owner, kind: row.kind, target: JSON.parse(row.target) as ShareTarget, scope: row.scope, expiresAt: row.expires_at };
  }

  private json(row: LinkRow, grants: GrantRow[], now: Date): ShareLink {
    const status = row.revoked_at ? 'revoked' : row.expires_at <= now.toISOString() ? 'expired' : 'active';
    return {
      id: row.id,
      kind: row.kind,
      target: JSON.parse(row.target) as ShareTarget,
      scope: row.scope,
      status,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      uses: Number(row.uses),
      users: grants.map(g => ({ user: g.user, firstUsedAt: g.first_used_at, lastUsedAt: g.last_used_at, uses: Number(g.uses) }))
    };
  }
}
