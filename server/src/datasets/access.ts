import { AppError } from '../core/errors';
import type { DatasetsTable, DatasetVersionsTable } from './tables';

/**
 * What a caller wants to do with a version. Metadata (`meta`) is listing and reading its id,
 * message, counts; the others read its bytes in some way.
 */
export type VersionAction = 'meta' | 'manifest' | 'download' | 'preview' | 'diff' | 'dvc-pull' | 'mount';

export interface AccessRequest {
  user: string;
  admin: boolean;
  action: VersionAction;
  dataset: DatasetsTable;
  version: DatasetVersionsTable;
  /** For 'mount': the run and step asking (datasets/runs/). */
  run?: { id: string; step: string };
}

/**
 * The hook through which datasets/runs/ (blinding approvals, the production service account)
 * decides on reads of a version's bytes. Called after the visibility check (owner or shared):
 * throw an AppError to refuse. The datasets routes call it for every access path (manifest, file
 * download, preview, diff, the DVC HTTP remote); runs call it for mounts.
 */
export interface DatasetAccess {
  checkVersion(req: AccessRequest): Promise<void>;
}

export function blindedError(req: AccessRequest): AppError {
  return new AppError(403, 'dataset_blinded', `Version ${req.version.id} is blinded: its contents cannot be read (${req.action})`, {
    version: req.version.id,
    action: req.action
  });
}

/**
 * The default until datasets/runs/ plugs in its own: a blinded version's metadata is visible,
 * its bytes never (no preview, manifest, download, diff, DVC pull or mount, for anybody).
 */
export const strictBlinding: DatasetAccess = {
  async checkVersion(req) {
    if (req.version.blinded && req.action !== 'meta') throw blindedError(req);
  }
};
