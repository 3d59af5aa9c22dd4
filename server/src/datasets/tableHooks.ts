import type { DatasetVersionsTable } from './tables';

/**
 * Where datasets/tables/ (the TableEngine, DuckDB) plugs into the datasets routes and service.
 * `index.ts` passes `undefined` until the engine is wired: then a `table` add answers 400
 * `tables_unavailable`, and diffs and previews carry no table part.
 */
export interface TableHooks {
  /**
   * Called for `POST /datasets/versions {table: {key?}}` on a single CSV/Parquet file, with the
   * previous table version of the dataset (null for the first). Stores what it needs (chunks as
   * objects via the ObjectStore) and answers the JSON kept as `table_meta` (schema, rowCount,
   * stats, chunks…) and the root object id kept as the version's md5.
   */
  ingest(args: { file: string; previous: DatasetVersionsTable | null; key?: string[]; onProgress?: (rows: number) => void }): Promise<{
    md5: string;
    meta: Record<string, unknown>;
    files: number;
    bytes: number;
  }>;
  /** `GET …/versions/:ref/preview?limit=&offset=`: schema, stats, a page of rows. */
  preview(version: DatasetVersionsTable, opts: { limit: number; offset?: number }): Promise<Record<string, unknown>>;
  /**
   * `GET …/versions/:ref/files/<name>` of a table version: its rows written to `dest` as CSV or
   * Parquet (the raw file is not stored; the rows are).
   */
  export(version: DatasetVersionsTable, format: 'csv' | 'parquet', dest: string): Promise<void>;
  /** The `table` part of `GET …/diff` when both versions are tables. */
  diff(from: DatasetVersionsTable, to: DatasetVersionsTable, opts: { key?: string[] }): Promise<Record<string, unknown>>;
}
