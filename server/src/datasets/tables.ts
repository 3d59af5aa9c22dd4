/** Tables of the datasets feature (datasets/migration.ts creates them), merged into `Database`. */

export interface DatasetsTable {
  id: string;
  owner: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

/** An immutable version. `md5` is the root object: `<32 hex>.dir` for a folder, `<32 hex>` for a file. */
export interface DatasetVersionsTable {
  /** 12 hex. */
  id: string;
  dataset_id: string;
  /** 1, 2, … per dataset (serialises concurrent adds). */
  seq: number;
  kind: string;
  md5: string;
  message: string;
  author: string;
  /** JSON array of version ids. */
  parents: string;
  files: number | string;
  bytes: number | string;
  blinded: number;
  /** Workspace-relative path it was added from, if any. */
  source_path: string | null;
  /** JSON owned by datasets/tables/ (schema, rowCount, stats, chunks) for kind 'table'. */
  table_meta: string | null;
  created_at: string;
}

export interface DatasetTagsTable {
  dataset_id: string;
  tag: string;
  version_id: string;
  updated_by: string;
  updated_at: string;
}

export interface DatasetSharesTable {
  dataset_id: string;
  /** A user name or '*' (everyone). */
  user: string;
}

/** Filled by datasets/runs/: direction 'input' (a run read it) or 'output' (a run produced it). */
export interface DatasetLineageTable {
  version_id: string;
  run_id: string;
  step: string;
  direction: string;
  /** The input/output name of the step ('' when none). */
  input: string;
  created_at: string;
}

/** Filled by datasets/runs/: an admin's decision on reading a blinded version in one step. */
export interface DatasetApprovalsTable {
  id: string;
  version_id: string;
  requested_by: string;
  approved_by: string | null;
  run_id: string | null;
  step: string | null;
  spec: string;
  /** 'pending' | 'approved' | 'rejected' | 'used' */
  status: string;
  created_at: string;
  decided_at: string | null;
}

export interface DatasetTables {
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  dataset_tags: DatasetTagsTable;
  dataset_shares: DatasetSharesTable;
  dataset_lineage: DatasetLineageTable;
  dataset_approvals: DatasetApprovalsTable;
}
