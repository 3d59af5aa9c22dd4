import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors';
import type { Database } from '../../store/database';
import type { User } from '../../store/users';
import { DatasetQueries } from '../queries';

/** One immutable dataset version as runs need it. */
export interface VersionInfo {
  id: string;
  datasetId: string;
  owner: string;
  name: string;
  kind: string;
  /** Root object: `<md5>.dir` for a folder, `<md5>` for one file. */
  md5: string;
  files: number;
  bytes: number;
  blinded: boolean;
  /** Workspace path it was added from (names the file of a one-file version). */
  sourcePath: string | null;
}

export interface LineageEntry {
  versionId: string;
  owner: string;
  name: string;
  runId: string;
  step: string;
  direction: 'input' | 'output';
  input: string;
  createdAt: string;
}

const VERSION_ID = /^[0-9a-f]{12}$/;

/**
 * The datasets tables (migration v7) as runs, lineage and blinding read them, through the store's
 * own queries (datasets/queries.ts), so visibility is the same everywhere: the owner and the
 * users it is shared with (or `*`).
 */
export class DatasetCatalog {
  readonly q: DatasetQueries;

  constructor(private readonly db: Kysely<Database>) {
    this.q = new DatasetQueries(db);
  }

  /**
   * Version `ref` (12-hex id, else tag) of `owner/name`, seen as `user`; 404 dataset_not_found /
   * version_not_found. `asAdmin`: an admin sees every dataset (deciding on blinding).
   */
  async version(user: Pick<User, 'name' | 'admin'>, owner: string, name: string, ref: string, opts: { asAdmin?: boolean } = {}): Promise<VersionInfo> {
    const ds = await this.q.find(owner, name);
    const visible = ds && ((opts.asAdmin && user.admin) || (await this.q.canRead(user.name, ds)));
    if (!ds || !visible) throw new AppError(404, 'dataset_not_found', `No dataset ${owner}/${name}`, { owner, name });
    const byId = VERSION_ID.test(ref) ? await this.q.version(ds.id, ref) : undefined;
    const tagged = byId ? undefined : await this.q.tag(ds.id, ref);
    const row = byId ?? (tagged ? await this.q.version(ds.id, tagged) : undefined);
    if (!row) throw new AppError(404, 'version_not_found', `Dataset ${owner}/${name} has no version or tag "${ref}"`, { owner, name, ref });
    return {
      id: row.id,
      datasetId: ds.id,
      owner: ds.owner,
      name: ds.name,
      kind: row.kind,
      md5: row.md5,
      files: Number(row.files),
      bytes: Number(row.bytes),
      blinded: Number(row.blinded) === 1,
      sourcePath: row.source_path
    };
  }

  async setBlinded(versionId: string, blinded: boolean): Promise<void> {
    await this.db
      .updateTable('dataset_versions')
      .set({ blinded: blinded ? 1 : 0 })
      .where('id', '=', versionId)
      .execute();
  }

  /** Records that a step read (`input`) or produced (`output`) a version; idempotent. */
  async record(entry: { versionId: string; runId: string; step: string; direction: 'input' | 'output'; input: string }, now = new Date()): Promise<void> {
    await this.db
      .insertInto('dataset_lineage')
      .values({
        version_id: entry.versionId,
        run_id: entry.runId,
        step: entry.step,
        direction: entry.direction,
        input: entry.input,
        created_at: now.toISOString()
      })
      .onConflict(oc => oc.columns(['version_id', 'run_id', 'step', 'direction', 'input']).doNothing())
      .execute();
  }

  /** Lineage rows of one version or of one run, with the dataset names. */
  async lineage(where: { versionId: string } | { runId: string }): Promise<LineageEntry[]> {
    let q = this.db
      .selectFrom('dataset_lineage as l')
      .innerJoin('dataset_versions as v', 'v.id', 'l.version_id')
      .innerJoin('datasets as d', 'd.id', 'v.dataset_id')
      .select(['l.version_id', 'd.owner', 'd.name', 'l.run_id', 'l.step', 'l.direction', 'l.input', 'l.created_at']);
    q = 'versionId' in where ? q.where('l.version_id', '=', where.versionId) : q.where('l.run_id', '=', where.runId);
    const rows = await q.orderBy('l.created_at').orderBy('l.run_id').orderBy('l.step').execute();
    return rows.map(r => ({
      versionId: r.version_id,
      owner: r.owner,
      name: r.name,
      runId: r.run_id,
      step: r.step,
      direction: r.direction === 'output' ? 'output' : 'input',
      input: r.input,
      createdAt: r.created_at
    }));
  }
}
