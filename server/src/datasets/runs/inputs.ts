import { join, posix } from 'node:path';
import { AppError, isAppError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { WORK_DIR, type StepJob } from '../../executor/job';
import { workRelative } from '../../executor/paths';
import type { RunSpec } from '../../runtime/runtime';
import type { RunState, StepDataset, StepSpec, StepState } from '../../runs/model';
import type { UserQueries } from '../../store/users';
import type { TrackingService } from '../../tracking';
import { mountRefused } from '../blinding/access';
import type { Approvals } from '../blinding/approvals';
import { stepFingerprint } from '../blinding/fingerprint';
import type { DatasetCatalog, VersionInfo } from './catalog';
import { isDatasetInput, parseDatasetRef } from './refs';
import type { DatasetVolumes, Materialize, VolumeFile } from './volumes';

export interface DatasetInputsDeps {
  catalog: DatasetCatalog;
  approvals: Approvals;
  users: UserQueries;
  volumes: DatasetVolumes;
  logger: Logger;
  /** CONVEYOR_PRODUCTION_USER: its runs may mount blinded versions without an approval. */
  productionUser?: string;
  /** The datasets module's table engine, once bound (table versions are mounted as CSV and Parquet). */
  tables?: () => TableExport | undefined;
}

/** What mounting a table version needs of datasets/tables/ (TableEngine.export). */
export interface TableExport {
  export(version: string, format: 'csv' | 'parquet', destPath: string): Promise<void>;
}

/** The files a table version shows in its folder. */
export const TABLE_FILES = { csv: 'data.csv', parquet: 'data.parquet' } as const;

/** The MLflow tag listing a step's dataset inputs (JSON: input, dataset, version). */
export const DATASETS_TAG = 'conveyor.datasets';

/**
 * `dataset://` step inputs: resolved at submit to immutable versions the submitter may read
 * (blinded ones only for approved or production steps), mounted read-only when the step
 * starts, and recorded as lineage and on the step's tracked run.
 */
export class DatasetInputs {
  constructor(private readonly d: DatasetInputsDeps) {}

  /** At submit: fills `spec.datasets` (and `spec.sealed`) of every step with dataset inputs. */
  async resolve(owner: string, steps: StepState[]): Promise<void> {
    for (const step of steps) {
      const entries = Object.entries(step.spec.inputs).filter(([, v]) => isDatasetInput(v));
      if (entries.length === 0) continue;
      const user = await this.d.users.get(owner);
      if (!user) throw new AppError(404, 'user_not_found', `No user ${owner}`);
      const datasets: Record<string, StepDataset> = {};
      for (const [input, value] of entries) {
        const at = { step: step.name, input };
        workRelative(input, 'an input name');
        const ref = parseDatasetRef(value, at);
        let v: VersionInfo;
        try {
          v = await this.d.catalog.version(user, ref.owner ?? owner, ref.name, ref.ref);
        } catch (err) {
          if (isAppError(err)) throw new AppError(err.status, err.code, `Step "${step.name}", input "${input}": ${err.message}`, { ...at, ref: value });
          throw err;
        }
        const table = v.kind === 'table';
        if ((table && !this.d.tables?.()) || (!table && v.kind !== 'files')) {
          throw new AppError(
            400,
            'dataset_not_mountable',
            `Step "${step.name}", input "${input}": ${v.owner}/${v.name} version ${v.id} (${v.kind}) cannot be mounted on this server`,
            { ...at, ref: value }
          );
        }
        const entry: StepDataset = {
          owner: v.owner,
          name: v.name,
          version: v.id,
          md5: v.md5,
          blinded: v.blinded,
          ...(table ? { kind: 'table' as const } : {})
        };
        if (!table && !v.md5.endsWith('.dir')) entry.fileName = v.sourcePath ? posix.basename(v.sourcePath) : 'data';
        if (v.blinded) entry.fingerprint = await this.mayMount(owner, v, step);
        datasets[input] = entry;
      }
      step.spec.datasets = datasets;
      step.spec.sealed = Object.values(datasets).some(x => x.blinded);
      if (step.spec.sealed && step.spec.network) {
        // Only the tracking listener may be reachable from a step that reads blinded data.
        throw new AppError(400, 'dataset_blinded_network', `Step "${step.name}" reads a blinded version: it cannot have network access`, { step: step.name });
      }
    }
  }

  /** A blinded version: the production account, or an approved fingerprint; else an approval request and 403. */
  private async mayMount(owner: string, v: VersionInfo, step: StepState): Promise<string> {
    const fingerprint = stepFingerprint(step.spec);
    if (this.d.productionUser && owner === this.d.productionUser) return fingerprint;
    if (await this.d.approvals.approved(v.id, fingerprint)) return fingerprint;
    const approval = await this.d.approvals.request(v.id, owner, requestSpec(step.name, step.spec, fingerprint));
    throw mountRefused(v, { step: step.name, fingerprint, approval });
  }

  /** When the step starts: still allowed? Then each version's volume, filled once, mounted read-only. */
  async prepare(job: StepJob): Promise<NonNullable<RunSpec['volumes']>> {
    const mounts: NonNullable<RunSpec['volumes']> = [];
    for (const ds of job.datasets ?? []) {
      if (ds.blinded) await this.recheck(job.owner, ds);
      const name = await this.d.volumes.ensure(ds, job.image, ds.kind === 'table' ? this.tableFiles(ds) : undefined);
      mounts.push({ name, containerPath: `${WORK_DIR}/inputs/${workRelative(ds.input, 'an input name')}`, readOnly: true });
    }
    return mounts;
  }

  /** A table version's rows as CSV (with a header) and Parquet, written by the table engine. */
  private tableFiles(ds: StepDataset): Materialize {
    return async dir => {
      const engine = this.d.tables?.();
      if (!engine) throw new AppError(503, 'dataset_not_mountable', `Table version ${ds.version} cannot be mounted: tables are not available`);
      const out: VolumeFile[] = [];
      for (const format of ['csv', 'parquet'] as const) {
        const path = join(dir, TABLE_FILES[format]);
        await engine.export(ds.md5, format, path);
        out.push({ relpath: TABLE_FILES[format], path });
      }
      return out;
    };
  }

  /** An approval revoked after submit, or a rerun of an old run: refused at start as well. */
  private async recheck(owner: string, ds: StepDataset): Promise<void> {
    if (this.d.productionUser && owner === this.d.productionUser) return;
    if (ds.fingerprint && (await this.d.approvals.approved(ds.version, ds.fingerprint))) return;
    throw mountRefused({ id: ds.version, owner: ds.owner, name: ds.name, blinded: true }, { fingerprint: ds.fingerprint });
  }

  /** On the step's tracked run (tracking/steps/ hook): lineage rows, `conveyor.datasets` and MLflow dataset inputs. */
  async tracked(tracking: TrackingService, run: RunState, step: StepState, runUuid: string): Promise<void> {
    const datasets = Object.entries(step.spec.datasets ?? {});
    try {
      for (const [input, ds] of datasets) {
        await this.d.catalog.record({ versionId: ds.version, runId: run.id, step: step.name, direction: 'input', input });
      }
      const tag = datasets.map(([input, ds]) => ({ input, dataset: `${ds.owner}/${ds.name}`, version: ds.version, ...(ds.blinded ? { blinded: true } : {}) }));
      await tracking.logBatch(runUuid, { tags: [{ key: DATASETS_TAG, value: JSON.stringify(tag).slice(0, 8000) }] });
      await tracking.runs.logInputs(
        { user: run.owner },
        runUuid,
        datasets.map(([input, ds]) => ({
          tags: [{ key: 'mlflow.data.context', value: input }],
          dataset: {
            name: `${ds.owner}/${ds.name}`,
            digest: ds.version,
            source_type: 'conveyor',
            source: JSON.stringify({ uri: `dataset://${ds.owner}/${ds.name}@${ds.version}` })
          }
        }))
      );
    } catch (err) {
      this.d.logger.warn({ err, run: run.id, step: step.name }, 'could not record the dataset inputs of a step');
    }
  }
}

function requestSpec(step: string, spec: StepSpec, fingerprint: string) {
  return {
    fingerprint,
    step,
    ...(spec.notebook ? { notebook: { path: spec.notebook.path, sourceHash: spec.notebook.sourceHash, hash: spec.notebook.hash } } : {}),
    ...(spec.command ? { command: spec.command } : {}),
    image: spec.image,
    imageDigest: spec.imageDigest,
    params: spec.params
  };
}
