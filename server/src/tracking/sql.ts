import { AsyncLocalStorage } from 'node:async_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { Store } from '../store/store';

export type Param = string | number | null;
export type Row = Record<string, unknown>;

/**
 * Raw SQL for the hot paths of tracking, written once with `?` placeholders for both stores.
 * SQLite: a dedicated better-sqlite3 connection on the same file (WAL) with cached prepared
 * statements, run synchronously while holding the store's kysely connection, so this process
 * never has two writers.
 * Postgres: kysely's pool (placeholders become $n); a transaction is a pooled connection.
 */
export interface Sql {
  readonly kind: 'sqlite' | 'postgres';
  /** Bumped on every write through this process: caches of aggregates key on it. */
  readonly version: number;
  all<T = Row>(query: string, params?: Param[]): Promise<T[]>;
  run(query: string, params?: Param[]): Promise<number>;
  /** Rows as arrays of column values, in select order (cheaper for big reads). */
  rows(query: string, params?: Param[]): Promise<unknown[][]>;
  /** One transaction; everything inside commits or nothing does. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` → `$1, $2, …` (our queries never carry `?` inside literals). */
function numbered(query: string): string {
  let n = 0;
  return query.replace(/\?/g, () => `$${++n}`);
}

const counter = { writes: 0 };

class PostgresSql implements Sql {
  readonly kind = 'postgres' as const;
  constructor(private readonly db: Kysely<Database>) {}

  get version(): number {
    return counter.writes;
  }

  async all<T>(query: string, params: Param[] = []): Promise<T[]> {
    const result = await this.db.executeQuery(CompiledQuery.raw(numbered(query), params));
    return result.rows as T[];
  }

  async rows(query: string, params: Param[] = []): Promise<unknown[][]> {
    return (await this.all<Row>(query, params)).map(r => Object.values(r));
  }

  async run(query: string, params: Param[] = []): Promise<number> {
    counter.writes++;
    const result = await this.db.executeQuery(CompiledQuery.raw(numbered(query), params));
    return Number(result.numAffectedRows ?? 0);
  }

  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(trx => fn(new PostgresSql(trx)));
  }

  async close(): Promise<void> {
    // The pool belongs to the store.
  }
}

class SqliteSql implements Sql {
  readonly kind = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** Set inside this module's transactions (per async context, so other requests never join one). */
  private readonly inTx = new AsyncLocalStorage<boolean>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly kysely: Kysely<Database>
  ) {}

  get version(): number {
    return counter.writes;
  }

  private prepare(query: string, raw = false): BetterSqlite3.Statement {
    const cacheKey = raw ? `raw:${query}` : query;
    let statement = this.statements.get(cacheKey);
    if (!statement) {
      statement = this.db.prepare(query);
      if (raw) statement.raw(true);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(cacheKey, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` holding the store's single kysely connection: nothing else in this process touches
   * the database meanwhile, so the synchronous statements on this connection never wait on a lock
   * held by an unfinished kysely transaction (which would block the event loop).
   */
  private exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.inTx.getStore()) return Promise.resolve(fn());
    return this.kysely.connection().execute(async () => fn());
  }

  // Reads never wait in WAL mode: they need no exclusivity.
  async all<T>(query: string, params: Param[] = []): Promise<T[]> {
    return this.prepare(query).all(...params) as T[];
  }

  async rows(query: string, params: Param[] = []): Promise<unknown[][]> {
    return this.prepare(query, true).all(...params) as unknown[][];
  }

  run(query: string, params: Param[] = []): Promise<number> {
    return this.exclusive(() => {
      counter.writes++;
      return this.prepare(query).run(...params).changes;
    });
  }

  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.inTx.getStore()) return fn(this);
    return this.exclusive(() =>
      this.inTx.run(true, async () => {
        this.db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(this);
          this.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw err;
        }
      })
    );
  }

  async close(): Promise<void> {
    try {
      await this.kysely.connection().execute(async () => this.db.close());
    } catch {
      // The store is already closed: nothing else can be using the file.
      if (this.db.open) this.db.close();
    }
  }
}

/** The tracking module's SQL access on the store's database. */
export function openSql(store: Store): Sql {
  if (store.kind === 'postgres') {
    return new PostgresSql(store.db);
  }
  const db = new BetterSqlite3(store.location);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  return new SqliteSql(db, store.db);
}

/** `(?, ?, ?)` repeated: placeholders of a multi-row insert. */
export function placeholders(rows: number, cols: number): string {
  const one = `(${new Array(cols).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
}

/** `?, ?, ?` for an IN list. */
export function list(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Postgres returns bigint as text: numbers back. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}
