import { sql } from 'kysely';
import { currentVersion, LATEST_SCHEMA_VERSION, migrate } from '../src/store/migrations';
import { Store } from '../src/store/store';
import { hashTokenSecret } from '../src/tokens/secret';
import { TokenService } from '../src/tokens/service';
import { postgresUrl, tempDir } from './helpers/env';

interface Backend {
  name: string;
  url: string | undefined;
  reset?(store: Store): Promise<void>;
  cleanup?(): void;
}

const sqliteDir = tempDir('store');
const pgUrl = postgresUrl();

const backends: Backend[] = [
  { name: 'sqlite', url: `sqlite:${sqliteDir.path}/nested/dir/conveyor.db`, cleanup: sqliteDir.cleanup },
  {
    name: 'postgres',
    url: pgUrl,
    // Each run starts from an empty database so migrations really run.
    async reset(store) {
      await sql`drop table if exists steps, runs, api_tokens, users, schema_version cascade`.execute(store.db);
    }
  }
];

describe.each(backends)('Store on $name', backend => {
  const run = backend.url ? test : test.skip;
  let store: Store;

  beforeAll(async () => {
    if (!backend.url) {
      return;
    }
    if (backend.reset) {
      const first = await Store.open(backend.url);
      await backend.reset(first);
      await first.close();
    }
    store = await Store.open(backend.url);
  });
  afterAll(async () => {
    await store?.close();
    backend.cleanup?.();
  });

  run('migrations bring a new database to the latest version', () => {
    expect(store.kind).toBe(backend.name);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
  });

  run('migrations are idempotent: running them again and reopening changes nothing', async () => {
    expect(await migrate(store.db, store.kind)).toBe(LATEST_SCHEMA_VERSION);
    const again = await Store.open(backend.url!);
    expect(again.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    await again.close();
    const rows = await store.db.selectFrom('schema_version').selectAll().execute();
    expect(rows.map(r => Number(r.version))).toEqual([...Array(LATEST_SCHEMA_VERSION).keys()].map(i => i + 1));
    expect(await currentVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
  });

  if (backend.name === 'sqlite') {
    run('SQLite runs in WAL mode with foreign keys and a busy timeout', async () => {
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
    });
  }

  run('the location never contains credentials', () => {
    expect(store.location).not.toMatch(/:[^/]*@/);
    expect(store.location).not.toContain('conveyor:conveyor');
  });

  run('users are created once, listed, fetched and removed', async () => {
    expect(await store.users.create('dana', true)).toMatchObject({ name: 'dana', admin: true });
    expect(await store.users.create('dana', false)).toBeUndefined();
    expect(await store.users.create('erik', false)).toMatchObject({ admin: false });
    expect((await store.users.list()).map(u => u.name)).toEqual(['dana', 'erik']);
    expect(await store.users.get('dana')).toMatchObject({ admin: true });
    expect((await store.users.ensure('fay', false)).name).toBe('fay');
    expect((await store.users.ensure('dana', false)).admin).toBe(true);
    expect(await store.users.remove('fay')).toBe(true);
    expect(await store.users.get('fay')).toBeUndefined();
  });

  run('tokens are stored as SHA-256 hashes and found by the hash of their secret', async () => {
    const tokens = new TokenService(store);
    const created = await tokens.create('dana', { name: 'ci' });
    const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', created.token.id).executeTakeFirstOrThrow();
    expect(row.hash).toBe(hashTokenSecret(created.secret));
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect((await tokens.authenticate(created.secret))?.name).toBe('dana');
    expect(await tokens.authenticate(created.secret + 'x')).toBeUndefined();
    expect((await tokens.list('dana')).map(x => x.id)).toEqual([created.token.id]);
    expect((await tokens.list('dana'))[0].lastUsedAt).not.toBeNull();
  });

  run('a token stops working at its expiry', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const tokens = new TokenService(store, () => now);
    const created = await tokens.create('erik', { name: 'short', expiresInDays: 2 });
    expect(created.token.expiresAt).toBe('2030-01-03T00:00:00.000Z');
    now = new Date('2030-01-02T23:59:59Z');
    expect((await tokens.authenticate(created.secret))?.name).toBe('erik');
    now = new Date('2030-01-03T00:00:00Z');
    expect(await tokens.authenticate(created.secret)).toBeUndefined();
  });

  run("revoking checks the owner: another user's token is not found", async () => {
    const tokens = new TokenService(store);
    const created = await tokens.create('erik', { name: 'mine' });
    await expect(tokens.revoke('dana', created.token.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await tokens.revoke('erik', created.token.id);
    expect(await tokens.authenticate(created.secret)).toBeUndefined();
  });

  run('a token for an unknown user is refused, and removing a user removes their tokens', async () => {
    const tokens = new TokenService(store);
    await expect(tokens.create('nobody', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    const created = await tokens.create('erik', { name: 'gone' });
    await store.users.remove('erik');
    expect(await tokens.authenticate(created.secret)).toBeUndefined();
    expect(await store.db.selectFrom('api_tokens').selectAll().where('user', '=', 'erik').execute()).toEqual([]);
  });
});
