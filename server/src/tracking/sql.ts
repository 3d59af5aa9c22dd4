import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { Store } from '../store/store';

export type Param = string | number | null;
export type Row = Record<string, unknown>;

/**
 * Raw SQL for the hot paths of tracking, written once with `?` placeholders for both stores.
 * SQLite: a dedicated better-sqlite3 connection on the same file (WAL) with cached prepared
 * statements, run synchronously; a transaction holds a lock so nothing interleaves.
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
  private lock: Promise<unknown> = Promise.resolve();
  private inTx = false;

  constructor(private readonly db: BetterSqlite3.Database) {}

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

  allSync<T>(query: string, params: Param[] = []): T[] {
    return this.prepare(query).all(...params) as T[];
  }

  async all<T>(query: string, params: Param[] = []): Promise<T[]> {
    if (!this.inTx) await this.lock;
    return this.allSync<T>(query, params);
  }

  async rows(query: string, params: Param[] = []): Promise<unknown[][]> {
    if (!this.inTx) await this.lock;
    return this.prepare(query, true).all(...params) as unknown[][];
  }

  async run(query: string, params: Param[] = []): Promise<number> {
    if (!this.inTx) await this.lock;
    counter.writes++;
    return this.prepare(query).run(...params).changes;
  }

  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    const next = this.lock.then(async () => {
      this.inTx = true;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      } finally {
        this.inTx = false;
      }
    });
    this.lock = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.lock;
    this.db.close();
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
  return new SqliteSql(db);
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
