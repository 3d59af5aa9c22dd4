import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdir, rm } from 'node:fs/promises';
import { AppError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { diffVersions } from './diff';
import { ingestFile } from './ingest';
import { baseRows, ORD, readManifest, rowIndexes, versionSql } from './layers';
import { columnList, literal, rowsOf } from './sql';
import type {
  DiffOptions,
  ExportFormat,
  IngestOptions,
  IngestResult,
  PreviewOptions,
  TableDiff,
  TableManifest,
  TableObjectStore,
  TablePreview
} from './types';

export interface TableEngineOptions {
  logger?: Logger;
  /** DuckDB's memory limit before it spills to `tmpDir` (default 2GB). */
  memoryLimit?: string;
  threads?: number;
}

/** DuckDB, loaded on first use: its native library is large and many servers never read a table. */
function duckdb(): typeof import('@duckdb/node-api') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@duckdb/node-api') as typeof import('@duckdb/node-api');
}

/**
 * CSV and Parquet table versions on DuckDB (docs/datasets.md "Tables"). A version is named by the
 * md5 of its manifest object (`IngestResult.manifest`); each call opens its own connection to one
 * in-memory DuckDB instance, and every stored object is md5-checked before DuckDB reads it.
 */
export class TableEngine {
  private instance: Promise<DuckDBInstance> | null = null;

  constructor(
    private readonly objects: TableObjectStore,
    private readonly options: TableEngineOptions = {}
  ) {}

  private async db(): Promise<DuckDBInstance> {
    if (!this.instance) {
      const spill = `${this.objects.tmpDir()}/duckdb`;
      this.instance = mkdir(spill, { recursive: true }).then(() =>
        duckdb().DuckDBInstance.create(':memory:', {
          threads: String(this.options.threads ?? 2),
          memory_limit: this.options.memoryLimit ?? '2GB',
          temp_directory: spill,
          preserve_insertion_order: 'true',
          enable_external_access: 'true'
        })
      );
    }
    return this.instance;
  }

  private async withConnection<T>(what: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await (await this.db()).connect();
    const started = Date.now();
    try {
      return await fn(conn);
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.options.logger?.error({ err, op: what }, 'table engine failed');
      throw new AppError(500, 'table_engine_failed', `The table engine could not ${what}`);
    } finally {
      conn.closeSync();
      this.options.logger?.debug({ op: what, ms: Date.now() - started }, 'table engine');
    }
  }

  /**
   * Reads a CSV or Parquet file and stores it as a table version: a delta over `previous` (its
   * manifest md5) holding only the added, removed and changed rows when that stays small, else
   * fresh base chunks. Bad input is a 400 (`not_a_table`, `table_malformed`, `key_missing`,
   * `key_null`, `key_not_unique`); nothing is stored then but unreferenced objects.
   */
  ingest(filePath: string, options: IngestOptions = {}): Promise<IngestResult> {
    return this.withConnection('ingest the table', conn => ingestFile(conn, this.objects, filePath, options));
  }

  /** The manifest of a version (schema, row count, key, stats, objects). */
  manifest(version: string): Promise<TableManifest> {
    return readManifest(this.objects, version);
  }

  /**
   * A page of a version's rows in order, with its schema and stats. Only the stored positions
   * that can hold the page are read: a row's position is within the deltas' size of its index.
   */
  async preview(version: string, options: PreviewOptions = {}): Promise<TablePreview> {
    const limit = Math.max(0, Math.min(1000, Math.floor(options.limit ?? 50)));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const m = await this.manifest(version);
    const slack = m.deltas.reduce((sum, d) => sum + d.rows, 0) + 1;
    const lo = offset - slack;
    const hi = offset + limit + slack;
    const range = { lo: lo > 0 ? lo : null, hi: hi < baseRows(m) - 1 ? hi : null };
    const rows = await this.withConnection('read the table', async conn => {
      const before = range.lo === null ? 0 : (await rowIndexes(conn, this.objects, m, [range.lo])).get(range.lo)!;
      const sql = `SELECT ${columnList(m.schema)} FROM (${await versionSql(this.objects, m, range)}) ORDER BY ${ORD} LIMIT ${limit} OFFSET ${offset - before}`;
      return rowsOf(conn, sql, m.schema);
    });
    return { schema: m.schema, rowCount: m.rowCount, key: m.key, stats: m.stats, offset, limit, rows };
  }

  /** Row-level diff from version `a` to version `b` (by key when given or when both share one). */
  async diff(a: string, b: string, options: DiffOptions = {}): Promise<TableDiff> {
    const [from, to] = await Promise.all([this.manifest(a), this.manifest(b)]);
    return this.withConnection('diff the tables', conn => diffVersions(conn, this.objects, from, to, options));
  }

  /** Writes a version's rows in order to `destPath` as CSV (with a header) or Parquet. */
  async export(version: string, format: ExportFormat, destPath: string): Promise<void> {
    if (format !== 'csv' && format !== 'parquet') throw AppError.invalid(`Unknown table format ${String(format)}: use csv or parquet`);
    const m = await this.manifest(version);
    const options = format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION zstd';
    await this.withConnection('export the table', async conn => {
      const sql = `SELECT ${columnList(m.schema)} FROM (${await versionSql(this.objects, m)}) ORDER BY ${ORD}`;
      await conn.run(`COPY (${sql}) TO ${literal(destPath)} (${options})`).catch(async err => {
        await rm(destPath, { force: true });
        throw err;
      });
    });
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = null;
    if (instance) (await instance).closeSync();
  }
}
