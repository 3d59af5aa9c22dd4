import type { Kysely } from 'kysely';

/** Table shapes of migration 3, kept here: only the resources module reads them. */
interface UsageTable {
  id: string;
  owner: string;
  project: string;
  run_id: string;
  step: string;
  attempt: number;
  profile: string | null;
  preemptible: number;
  price_per_hour: number;
  cpus: number;
  memory_bytes: number;
  gpus: number;
  started_at: string;
  finished_at: string;
  seconds: number;
  cost: number;
  month: string;
  day: string;
}

interface BudgetAlertsTable {
  id: string;
  recipient: string;
  scope: string;
  name: string;
  period: string;
  threshold: number;
  spent: number;
  limit_usd: number;
  message: string;
  created_at: string;
}

interface Tables {
  usage: UsageTable;
  budget_alerts: BudgetAlertsTable;
}

export interface UsageRecord {
  owner: string;
  project: string;
  runId: string;
  step: string;
  attempt: number;
  profile: string | null;
  preemptible: boolean;
  pricePerHour: number;
  cpus: number;
  memoryBytes: number;
  gpus: number;
  startedAt: Date;
  finishedAt: Date;
}

export interface AlertRecord {
  recipient: string;
  scope: 'user' | 'team' | 'project';
  name: string;
  period: string;
  threshold: number;
  spent: number;
  limit: number;
  message: string;
  createdAt: string;
}

export const monthOf = (d: Date): string => d.toISOString().slice(0, 7);

/** Metered usage and raised alerts, on SQLite and Postgres alike. */
export class UsageQueries {
  private readonly db: Kysely<Tables>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as unknown as Kysely<Tables>;
  }

  /** Records one attempt; its cost is (finished − started) × price per hour. Returns the cost. */
  async record(u: UsageRecord): Promise<number> {
    const seconds = Math.max(0, (u.finishedAt.getTime() - u.startedAt.getTime()) / 1000);
    const cost = (seconds / 3600) * u.pricePerHour;
    await this.db
      .insertInto('usage')
      .values({
        id: `${u.runId}/${u.step}/${u.attempt}/${u.startedAt.toISOString()}`,
        owner: u.owner,
        project: u.project,
        run_id: u.runId,
        step: u.step,
        attempt: u.attempt,
        profile: u.profile,
        preemptible: u.preemptible ? 1 : 0,
        price_per_hour: u.pricePerHour,
        cpus: u.cpus,
        memory_bytes: u.memoryBytes,
        gpus: u.gpus,
        started_at: u.startedAt.toISOString(),
        finished_at: u.finishedAt.toISOString(),
        seconds,
        cost,
        month: monthOf(u.startedAt),
        day: u.startedAt.toISOString().slice(0, 10)
      })
      .onConflict(oc => oc.column('id').doNothing())
      .execute();
    return cost;
  }

  /** What one step cost over all its metered attempts, or null when none was metered. */
  async stepCost(runId: string, step: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('usage')
      .select(eb => [eb.fn.sum<number | string | null>('cost').as('total'), eb.fn.countAll<number | string>().as('n')])
      .where('run_id', '=', runId)
      .where('step', '=', step)
      .executeTakeFirst();
    return row && Number(row.n) > 0 ? Number(row.total ?? 0) : null;
  }

  /** USD spent in a month by some owners (a user, a team's members) or by a project. */
  async spent(month: string, by: { owners?: string[]; project?: string }): Promise<number> {
    if (by.owners && by.owners.length === 0) return 0;
    let q = this.db
      .selectFrom('usage')
      .select(eb => eb.fn.sum<number | string | null>('cost').as('total'))
      .where('month', '=', month);
    if (by.owners) q = q.where('owner', 'in', by.owners);
    if (by.project !== undefined) q = q.where('project', '=', by.project);
    const row = await q.executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** Cost per day and owner between two days (inclusive, YYYY-MM-DD); all owners when `owners` is absent. */
  async daily(from: string, to: string, owners?: string[]): Promise<{ day: string; owner: string; cost: number; seconds: number }[]> {
    let q = this.db
      .selectFrom('usage')
      .select(eb => ['day', 'owner', eb.fn.sum<number | string>('cost').as('cost'), eb.fn.sum<number | string>('seconds').as('seconds')])
      .where('day', '>=', from)
      .where('day', '<=', to);
    if (owners) q = q.where('owner', 'in', owners.length ? owners : ['']);
    const rows = await q.groupBy(['day', 'owner']).orderBy('day').orderBy('owner').execute();
    return rows.map(r => ({
      day: r.day,
      owner: r.owner,
      cost: Number(r.cost),
      seconds: Number(r.seconds)
    }));
  }

  /** Stores an alert unless the same one (budget, threshold, month, recipient) exists; true when new. */
  async raise(a: AlertRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('budget_alerts')
      .values({
        id: `${a.scope}:${a.name}:${a.period}:${a.threshold}:${a.recipient}`,
        recipient: a.recipient,
        scope: a.scope,
        name: a.name,
        period: a.period,
        threshold: a.threshold,
        spent: a.spent,
        limit_usd: a.limit,
        message: a.message,
        created_at: a.createdAt
      })
      .onConflict(oc => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async alerts(recipient: string | undefined, limit = 100): Promise<AlertRecord[]> {
    let q = this.db.selectFrom('budget_alerts').selectAll();
    if (recipient !== undefined) q = q.where('recipient', '=', recipient);
    const rows = await q.orderBy('created_at', 'desc').orderBy('threshold', 'desc').limit(limit).execute();
    return rows.map(r => ({
      recipient: r.recipient,
      scope: r.scope as AlertRecord['scope'],
      name: r.name,
      period: r.period,
      threshold: Number(r.threshold),
      spent: Number(r.spent),
      limit: Number(r.limit_usd),
      message: r.message,
      createdAt: r.created_at
    }));
  }
}
