/**
 * Types of the table engine (docs/datasets.md "Tables", docs/dev/ml-platform-contract.md
 * "Tables API"). A table version is one JSON manifest object in the store that names its
 * Parquet objects: a base (chunks of the table as it was at some version) and a chain of deltas
 * (rows changed, added or removed since), all content-addressed.
 */

/** What the table engine needs from the datasets object store (DVC 3 layout, md5 addressed). */
export interface TableObjectStore {
  /**
   * Moves a finished file (written in `tmpDir()`) into the store under its md5, atomically.
   * Answers the md5, the size and whether the object was new (false: it was already stored and
   * the file was dropped).
   */
  putFile(path: string): Promise<{ md5: string; size: number; created: boolean }>;
  /**
   * A path to the object's bytes after checking them against the md5; throws an error with code
   * `object_corrupt` (409) when they differ and `object_missing` (404) when the object is absent.
   */
  verifiedPath(md5: string): Promise<string>;
  /** A folder on the store's file system for files about to be `putFile`d. */
  tmpDir(): string;
}

/** One column of a table: its name and DuckDB type (`BIGINT`, `VARCHAR`, `DOUBLE`, …). */
export interface TableColumn {
  name: string;
  type: string;
}

/** Statistics of one column over all the rows of a version. */
export interface ColumnStats {
  name: string;
  type: string;
  nulls: number;
  /** Smallest and largest non-null value (numbers for numeric columns, else strings); null for an empty or nested column. */
  min: number | string | null;
  max: number | string | null;
  /** Number of distinct non-null values: exact up to 1M rows, a HyperLogLog estimate above. */
  distinct: number;
  /** Mean of a numeric column; absent for other types. */
  mean?: number | null;
}

export interface StoredObject {
  md5: string;
  size: number;
  rows: number;
}

export interface DeltaObject extends StoredObject {
  added: number;
  removed: number;
  changed: number;
}

/** The manifest object of a table version (stored as JSON, its md5 is the version's root). */
export interface TableManifest {
  format: 'conveyor-table/1';
  schema: TableColumn[];
  rowCount: number;
  /** The key columns rows are matched by, or null to match by row content. */
  key: string[] | null;
  /** Source file format the version was ingested from. */
  source: 'csv' | 'parquet';
  stats: ColumnStats[];
  /** Base chunks in row order: chunk i holds the rows with positions offset_i … offset_i + rows - 1. */
  base: StoredObject[];
  /** Delta objects applied in order over the base (later ones win for the same row position). */
  deltas: DeltaObject[];
}

export interface IngestOptions {
  /** The previous version's manifest md5: rows are stored as a delta over it when that is smaller. */
  previous?: string | null;
  /** Key columns (unique, not null); default: the previous version's key, else none (row hash). */
  key?: string[] | null;
}

export interface IngestResult {
  /** md5 of the manifest object: the version's root in the store. */
  manifest: string;
  schema: TableColumn[];
  rowCount: number;
  key: string[] | null;
  stats: ColumnStats[];
  /** How the rows are stored: a fresh base, or a delta over the previous version's objects. */
  storage: {
    mode: 'base' | 'delta';
    /** Why a fresh base was written although a previous version was given. */
    reason?: 'schema_changed' | 'reordered' | 'compaction' | 'positions_exhausted';
    baseChunks: number;
    deltas: number;
    added: number;
    removed: number;
    changed: number;
  };
  /** Bytes of objects this ingest added to the store (new chunks or delta, and the manifest). */
  storedBytes: number;
  /** Bytes of all objects the version reads (base chunks, deltas, manifest). */
  totalBytes: number;
}

export interface PreviewOptions {
  limit?: number;
  offset?: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type Row = Record<string, JsonValue>;

export interface TablePreview {
  schema: TableColumn[];
  rowCount: number;
  key: string[] | null;
  stats: ColumnStats[];
  offset: number;
  limit: number;
  rows: Row[];
}

export interface DiffOptions {
  /**
   * Match rows by these columns (unique in both versions); null or [] to match by row content;
   * default: the key both versions were ingested with, else by row content.
   */
  key?: string[] | null;
  /** Rows of each kind in the sample (default 20, at most 200). */
  sample?: number;
}

export interface SchemaChanges {
  added: TableColumn[];
  removed: TableColumn[];
  retyped: { name: string; from: string; to: string }[];
}

export type DiffSampleRow =
  | { kind: 'added'; position: number; row: Row }
  | { kind: 'removed'; position: number; row: Row }
  | {
      kind: 'changed';
      position: number;
      key: Row;
      columns: string[];
      before: Row;
      after: Row;
    };

export interface TableDiff {
  schema: SchemaChanges;
  /** `key` when rows were matched by key columns, `row` when by content and position. */
  matchedBy: 'key' | 'row';
  key: string[] | null;
  rows: { from: number; to: number };
  added: number;
  removed: number;
  changed: number;
  /** True when unchanged rows appear in another order in `to` (by content: changes are then not paired). */
  reordered: boolean;
  sample: DiffSampleRow[];
}

export type ExportFormat = 'csv' | 'parquet';
