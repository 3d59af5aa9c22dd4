import { AppError } from '../../core/errors';
import type { User } from '../../store/users';

/**
 * Test-set blinding (docs/datasets.md, "Pipelines, lineage and blinding"). A blinded version's
 * bytes never reach anyone directly: the datasets routes refuse manifest, download, preview,
 * diff and DVC pulls through `strictBlinding` (datasets/access.ts), admins included (an admin
 * unblinds first, which is a recorded decision). Runs mount it only when `mountDecision`
 * (datasets/runs/inputs.ts) allows, and such a step is sealed: only its metrics leave.
 */
export interface BlindedVersion {
  id: string;
  owner: string;
  name: string;
  blinded: boolean;
}

/**
 * Who may change the blinded flag: the owner or an admin may blind; only an admin may unblind.
 * 403 dataset_blinding_forbidden otherwise (404 stays the answer for datasets the caller cannot see).
 */
export function assertMayBlind(user: Pick<User, 'admin' | 'name'>, version: BlindedVersion, blinded: boolean): void {
  if (user.admin) return;
  if (blinded && user.name === version.owner) return;
  throw new AppError(
    403,
    'dataset_blinding_forbidden',
    blinded ? 'Only the owner of a dataset or an admin may blind its versions' : 'Only an admin may unblind a version',
    { version: version.id }
  );
}

export function mountRefused(version: BlindedVersion, details: Record<string, unknown>): AppError {
  return new AppError(
    403,
    'dataset_blinded',
    `${version.owner}/${version.name} version ${version.id} is blinded: only an admin-approved evaluation step or the production account may mount it` +
      (details.approval ? ` (approval request ${String(details.approval)} is waiting for an admin)` : ''),
    { version: version.id, dataset: `${version.owner}/${version.name}`, action: 'mount', ...details }
  );
}
