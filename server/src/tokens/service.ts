import type { ApiToken, ApiTokenCreated } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Store } from '../store/store';
import type { User } from '../store/users';
import { TokenQueries, toApiToken } from './queries';
import { hashTokenSecret, newTokenId, newTokenSecret } from './secret';

const DAY_MS = 24 * 60 * 60 * 1000;
/** last_used_at is written at most this often per token, to keep reads cheap. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export interface CreateTokenInput {
  name: string;
  expiresInDays?: number;
}

/** Per-user API tokens: creation (secret shown once), listing, revocation, authentication. */
export class TokenService {
  private readonly queries: TokenQueries;

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date = () => new Date()
  ) {
    this.queries = new TokenQueries(store.db);
  }

  async create(user: string, input: CreateTokenInput): Promise<ApiTokenCreated> {
    if (!(await this.store.users.get(user))) {
      throw AppError.notFound(`No user named ${user}`);
    }
    const now = this.clock();
    const secret = newTokenSecret();
    const row = {
      id: newTokenId(),
      user,
      name: input.name,
      hash: hashTokenSecret(secret),
      created_at: now.toISOString(),
      expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * DAY_MS).toISOString() : null,
      last_used_at: null
    };
    await this.queries.insert(row);
    return { token: toApiToken(row), secret };
  }

  async list(user: string): Promise<ApiToken[]> {
    return (await this.queries.listByUser(user)).map(toApiToken);
  }

  /** Revokes one of `user`'s tokens; someone else's token is indistinguishable from a missing one. */
  async revoke(user: string, id: string): Promise<void> {
    if (!(await this.queries.remove(id, user))) {
      throw AppError.notFound(`No token ${id}`);
    }
  }

  /** Admin revocation from the CLI, whoever owns the token. */
  async revokeAny(id: string): Promise<boolean> {
    return this.queries.remove(id);
  }

  /** The user a bearer secret belongs to, or undefined when unknown or expired. */
  async authenticate(secret: string): Promise<User | undefined> {
    const row = await this.queries.findByHash(hashTokenSecret(secret));
    const now = this.clock();
    if (!row || (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime())) {
      return undefined;
    }
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
      await this.queries.touch(row.id, now.toISOString());
    }
    return this.store.users.get(row.user);
  }
}
