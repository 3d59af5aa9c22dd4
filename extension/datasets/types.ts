/**
 * The datasets API payloads the panel reads (docs/dev/ml-platform-contract.md, "Datasets").
 *
 * Versions, lists, diffs and registration come from the JSON Schemas `schema/api/dataset-*.json`
 * (generated types). The preview, lineage and row-diff payloads have no schema yet (free-form in
 * the schema or not landed): their shapes here are read defensively by the views.
 */

export type {
  DatasetAdd as RegisterRequest,
  DatasetAddEvent as RegisterEvent,
  DatasetDetail,
  DatasetDiff,
  DatasetFile,
  DatasetFiles,
  DatasetList,
  DatasetSummary,
  DatasetVersion
} from '../../schema/generated/api';
import type { DatasetVersion } from '../../schema/generated/api';

export interface DatasetColumn {
  name: string;
  type: string;
}

export interface DatasetColumnStats {
  [stat: string]: number | string | null | undefined;
}

export interface DatasetPreview {
  schema: DatasetColumn[];
  rowCount: number;
  stats?: { [column: string]: DatasetColumnStats } | Array<{ column?: string; name?: string } & DatasetColumnStats>;
  rows: Array<{ [column: string]: unknown } | unknown[]>;
}

export type Row = { [column: string]: unknown };

/**
 * The row-level part of a diff (`DatasetDiff.table`, free-form in the schema: the TableEngine's
 * `TableDiff`, server/src/datasets/tables/types.ts): schema changes, counts, a sample of rows.
 */
export interface TableDiff {
  schema?: {
    added?: DatasetColumn[];
    removed?: DatasetColumn[];
    retyped?: { name: string; from: string; to: string }[];
  };
  matchedBy?: 'key' | 'row';
  key?: string[] | null;
  rows?: { from: number; to: number };
  added?: number;
  removed?: number;
  changed?: number;
  reordered?: boolean;
  sample?: DiffSampleRow[];
}

export type DiffSampleRow =
  | { kind: 'added'; position: number; row: Row }
  | { kind: 'removed'; position: number; row: Row }
  | { kind: 'changed'; position: number; key?: Row; columns: string[]; before: Row; after: Row };

/** A run that read a version or produced it. */
export interface DatasetLineageRun {
  runId: string;
  step?: string | null;
  name?: string | null;
  status?: string | null;
  owner?: string | null;
  createdAt?: string | null;
  /** The step's input name (a run that read the version). */
  input?: string | null;
  /** The step's output name (the run that produced the version). */
  output?: string | null;
}

export interface DatasetLineage {
  version?: DatasetVersion;
  /** Runs whose steps read this version. */
  readBy: DatasetLineageRun[];
  /** The run (step) that published this version, if any. */
  producedBy: DatasetLineageRun[];
  /** Runs of other users that read or produced it: only counted. */
  hiddenRuns?: number;
}
