import type { Kysely } from 'kysely';

/** The one column of the resources module's `usage` table (migration 3) read here. */
interface UsageRow {
  run_id: string;
  step: string;
  cost: number;
}

/**
 * What a step cost over all its attempts, as the resources module metered it (a row per attempt,
 * written before the step's outcome is settled), or null when nothing was metered.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function meteredCost(db: Kysely<any>): (runId: string, step: string) => Promise<number | null> {
  const usage = db as unknown as Kysely<{ usage: UsageRow }>;
  return async (runId, step) => {
    const row = await usage
      .selectFrom('usage')
      .select(eb => [eb.fn.sum<number | string | null>('cost').as('total'), eb.fn.countAll<number | string>().as('n')])
      .where('run_id', '=', runId)
      .where('step', '=', step)
      .executeTakeFirst();
    return row && Number(row.n) > 0 ? Number(row.total ?? 0) : null;
  };
}
