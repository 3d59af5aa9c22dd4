import type { DatasetLineage, DatasetLineageRun, DatasetVersion } from './types';

/** `IConveyor.requestAPI`: a path below `/conveyor/api/v1`. */
export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/** The scheme of dataset references in pipelines (`dataset://<name>@<version|tag>`). */
export const DATASET_SCHEME = 'dataset://';

/** A dataset as `owner/name`. */
export interface IDatasetId {
  owner: string;
  name: string;
}

export function datasetKey(id: IDatasetId): string {
  return `${id.owner}/${id.name}`;
}

/** The API path of a dataset, each part URL-encoded: `datasets/<owner>/<name>`. */
export function datasetPath(id: IDatasetId): string {
  return `datasets/${encodeURIComponent(id.owner)}/${encodeURIComponent(id.name)}`;
}

/** The API path of a version (by id or tag) of a dataset. */
export function versionPath(id: IDatasetId, ref: string): string {
  return `${datasetPath(id)}/versions/${encodeURIComponent(ref)}`;
}

/**
 * The `dataset://` reference of a version: `name@ref` for the caller's own dataset (what a
 * pipeline of theirs writes), `owner/name@ref` for one shared with them.
 */
export function datasetReference(id: IDatasetId, ref: string, me: string | null): string {
  const name = me !== null && id.owner === me ? id.name : datasetKey(id);
  return `${DATASET_SCHEME}${name}@${ref}`;
}

/** A JSON request. */
export function json(method: string, body?: unknown): RequestInit {
  return body === undefined
    ? { method }
    : { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
}

/** Whether an error is the server refusing a blinded version (403). */
export function isForbidden(error: unknown): boolean {
  const status = (error as { response?: { status?: number } } | null)?.response?.status;
  return status === 403;
}

/** The message of an error as shown to the user. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Versions newest first (the server's order is not promised). */
export function newestFirst(versions: readonly DatasetVersion[]): DatasetVersion[] {
  return [...versions].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

interface ILineageEntry {
  runId: string;
  version?: string;
  step?: string;
  direction?: string;
  input?: string;
  [k: string]: unknown;
}

/**
 * The lineage of one version as producers and readers: `GET …/versions/:ref/lineage` answers
 * `{readBy, producedBy, hiddenRuns}` (taken as it is); the dataset's edges
 * (`GET /datasets/:owner/:name/lineage`: `{edges: [{version, runId, step, direction, input}]}`,
 * direction `input`: a run read it, `output`: a run produced it) are filtered to the version.
 */
export function normalizeLineage(raw: unknown, versionId?: string): DatasetLineage {
  const data = raw as Partial<DatasetLineage> & { [k: string]: unknown };
  if (data && Array.isArray(data.readBy) && Array.isArray(data.producedBy)) {
    return data as DatasetLineage;
  }
  const all = (
    Array.isArray(raw) ? raw : data?.edges ?? data?.lineage ?? data?.entries ?? []
  ) as ILineageEntry[];
  const list = all.filter(e => !versionId || e.version === undefined || e.version === versionId);
  const toRun = (e: ILineageEntry): DatasetLineageRun => ({
    runId: e.runId,
    step: e.step ?? null,
    input: e.input ?? null,
    name: typeof e.name === 'string' ? e.name : typeof e.runName === 'string' ? e.runName : null,
    status: typeof e.status === 'string' ? e.status : null,
    createdAt: typeof e.createdAt === 'string' ? e.createdAt : null
  });
  return {
    readBy: list.filter(e => e.direction !== 'output').map(toRun),
    producedBy: list.filter(e => e.direction === 'output').map(toRun)
  };
}
