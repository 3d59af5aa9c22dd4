import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './database';
import { migrate } from './migrations';
import { UserQueries } from './users';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The persistent store: one kysely instance over SQLite (embedded) or Postgres (teams).
 * Features keep their queries in their own module built on `store.db`.
 */
export class Store {
  readonly users: UserQueries;
  private _schemaVersion = 0;

  private constructor(
    readonly db: Kysely<Database>,
    readonly kind: StoreKind,
    /** File path or host/database, never credentials. */
    readonly location: string
  ) {
    this.users = new UserQueries(db);
  }

  get schemaVersion(): number {
    return this._schemaVersion;
  }

  /** Opens the store named by `url` and runs pending migrations. */
  static async open(url: string): Promise<Store> {
    const store = Store.connect(url);
    try {
      store._schemaVersion = await migrate(store.db, store.kind);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private static connect(url: string): Store {
    if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
      const pool = new Pool({ connectionString: url, max: 10 });
      // A connection that Postgres closes (restart, failover, an admin's terminate) emits 'error';
      // unhandled, that would end the server. The pool drops the client and the next query opens
      // a fresh connection, so a warning is all it needs.
      // A connection that fails while checked out rejects its query; the listener added on
      // 'connect' keeps the same failure from also surfacing as an unhandled 'error' event.
      const warn = (err: Error) => process.emitWarning(`Postgres closed a connection: ${err.message}`, 'ConveyorStoreWarning');
      pool.on('error', warn);
      pool.on('connect', client => client.on('error', warn));
      const parsed = new URL(url);
      const location = `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
      return new Store(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres', location);
    }
    if (url.startsWith('sqlite:')) {
      const path = resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
      mkdirSync(dirname(path), { recursive: true });
      const database = new BetterSqlite3(path);
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 5000');
      database.pragma('foreign_keys = ON');
      database.pragma('synchronous = NORMAL');
      return new Store(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite', path);
    }
    throw new Error('CONVEYOR_DATABASE_URL must start with sqlite: or postgres://');
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
