import { loadConfig } from '../core/config';
import { AppError } from '../core/errors';
import { Store } from '../store/store';
import { USERNAME_PATTERN } from '../store/users';
import { TokenService } from '../tokens/service';

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Opens the store named by the same environment as `serve` (no secret needed). */
async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(loadConfig(process.env, { requireSecret: false }).databaseUrl);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function createUser(name: string, opts: { admin?: boolean; json?: boolean }): Promise<void> {
  if (!USERNAME_PATTERN.test(name)) {
    throw AppError.invalid(`"${name}" is not a valid user name (${USERNAME_PATTERN.source})`);
  }
  const user = await withStore(store => store.users.create(name, Boolean(opts.admin)));
  if (!user) {
    throw AppError.conflict(`user ${name} already exists`);
  }
  out(opts.json ? JSON.stringify(user) : `created user ${user.name}${user.admin ? ' (admin)' : ''}`);
}

export async function listUsers(opts: { json?: boolean }): Promise<void> {
  const users = await withStore(store => store.users.list());
  if (opts.json) {
    out(JSON.stringify(users));
    return;
  }
  for (const user of users) {
    out(`${user.name}\t${user.admin ? 'admin' : 'user'}\t${user.createdAt}`);
  }
}

export async function createToken(
  user: string,
  opts: { name?: string; expiresInDays?: string; json?: boolean }
): Promise<void> {
  const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 365)) {
    throw AppError.invalid('--expires-in-days must be an integer from 1 to 365');
  }
  const created = await withStore(store =>
    new TokenService(store).create(user, { name: opts.name ?? 'cli', expiresInDays: days })
  );
  if (opts.json) {
    out(JSON.stringify(created));
    return;
  }
  out(`created token ${created.token.id} for ${user}${created.token.expiresAt ? `, expires ${created.token.expiresAt}` : ''}`);
  out('the secret is shown only now:');
  out(created.secret);
}

export async function revokeToken(id: string): Promise<void> {
  const removed = await withStore(store => new TokenService(store).revokeAny(id));
  if (!removed) {
    throw AppError.notFound(`no token ${id}`);
  }
  out(`revoked token ${id}`);
}
