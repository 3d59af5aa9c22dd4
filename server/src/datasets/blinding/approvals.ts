import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors';
import type { Database } from '../../store/database';
import type { User } from '../../store/users';

/** What an approval binds: one version and one step fingerprint (fingerprint.ts), with what the admin reviews. */
export interface ApprovalSpec {
  fingerprint: string;
  /** For the reviewer: the step's notebook path and hashes, or its command, and its image. */
  step: string;
  notebook?: { path: string; sourceHash: string; hash: string };
  command?: string[];
  image: string;
  imageDigest: string;
  params: Record<string, unknown>;
}

export interface Approval {
  id: string;
  versionId: string;
  dataset: string;
  requestedBy: string;
  approvedBy: string | null;
  status: 'pending' | 'approved' | 'rejected';
  spec: ApprovalSpec;
  createdAt: string;
  decidedAt: string | null;
}

type Row = Database['dataset_approvals'];

function toApproval(row: Row, dataset: string): Approval {
  return {
    id: row.id,
    versionId: row.version_id,
    dataset,
    requestedBy: row.requested_by,
    approvedBy: row.approved_by,
    status: row.status === 'approved' ? 'approved' : row.status === 'rejected' ? 'rejected' : 'pending',
    spec: JSON.parse(row.spec) as ApprovalSpec,
    createdAt: row.created_at,
    decidedAt: row.decided_at
  };
}

/** Admin approvals for evaluation steps to mount a blinded version (table dataset_approvals, migration v7). */
export class Approvals {
  constructor(private readonly db: Kysely<Database>) {}

  /** Whether an admin approved exactly this fingerprint for this version. */
  async approved(versionId: string, fingerprint: string): Promise<boolean> {
    const rows = await this.db.selectFrom('dataset_approvals').select('spec').where('version_id', '=', versionId).where('status', '=', 'approved').execute();
    return rows.some(r => (JSON.parse(r.spec) as ApprovalSpec).fingerprint === fingerprint);
  }

  /** The pending request for (version, fingerprint, requester), made once. */
  async request(versionId: string, requester: string, spec: ApprovalSpec, now = new Date()): Promise<string> {
    const rows = await this.db
      .selectFrom('dataset_approvals')
      .select(['id', 'spec'])
      .where('version_id', '=', versionId)
      .where('requested_by', '=', requester)
      .where('status', '=', 'pending')
      .execute();
    const same = rows.find(r => (JSON.parse(r.spec) as ApprovalSpec).fingerprint === spec.fingerprint);
    if (same) return same.id;
    const id = randomBytes(8).toString('hex');
    await this.db
      .insertInto('dataset_approvals')
      .values({
        id,
        version_id: versionId,
        requested_by: requester,
        approved_by: null,
        run_id: null,
        step: spec.step,
        spec: JSON.stringify(spec),
        status: 'pending',
        created_at: now.toISOString(),
        decided_at: null
      })
      .execute();
    return id;
  }

  /** Admins see every approval; others their own requests. */
  async list(user: User, status?: string): Promise<Approval[]> {
    let q = this.db
      .selectFrom('dataset_approvals as a')
      .innerJoin('dataset_versions as v', 'v.id', 'a.version_id')
      .innerJoin('datasets as d', 'd.id', 'v.dataset_id')
      .selectAll('a')
      .select(['d.owner', 'd.name']);
    if (!user.admin) q = q.where('a.requested_by', '=', user.name);
    if (status) q = q.where('a.status', '=', status);
    const rows = await q.orderBy('a.created_at', 'desc').execute();
    return rows.map(r => toApproval(r, `${r.owner}/${r.name}`));
  }

  /** An admin approves, rejects or revokes (rejects an approved) request. */
  async decide(admin: User, id: string, decision: 'approve' | 'reject', now = new Date()): Promise<Approval> {
    if (!admin.admin) throw new AppError(403, 'admin_required', 'Only an admin may approve evaluation steps on blinded data');
    const found = await this.db.selectFrom('dataset_approvals').select('id').where('id', '=', id).executeTakeFirst();
    if (!found) throw new AppError(404, 'approval_not_found', `No approval request ${id}`, { id });
    await this.db
      .updateTable('dataset_approvals')
      .set({ status: decision === 'approve' ? 'approved' : 'rejected', approved_by: admin.name, decided_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    return (await this.list(admin)).find(a => a.id === id)!;
  }
}
