import type { Kysely } from 'kysely';
import type { StepSpec } from '../../runs/model';
import type { Database } from '../../store/database';

/** Most tracked runs remembered; beyond, the oldest answers are asked again. */
const REMEMBERED = 10_000;

/**
 * Whether a tracked run is a sealed step's, from what the server stored when the run was
 * submitted (the step's spec, via the tracked run's Conveyor run and step), never from anything
 * the run itself can write. Answers are kept: a step's spec never changes.
 */
export class SealedSteps {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly db: Kysely<Database>) {}

  async of(runUuid: string): Promise<boolean> {
    const hit = this.known.get(runUuid);
    if (hit !== undefined) return hit;
    const tracked = await this.db.selectFrom('tracked_runs').select(['conveyor_run_id', 'step']).where('run_uuid', '=', runUuid).executeTakeFirst();
    let sealed = false;
    if (tracked?.conveyor_run_id && tracked.step) {
      const row = await this.db.selectFrom('steps').select('spec').where('run_id', '=', tracked.conveyor_run_id).where('name', '=', tracked.step).executeTakeFirst();
      sealed = row ? (JSON.parse(row.spec) as StepSpec).sealed === true : false;
    }
    if (this.known.size >= REMEMBERED) this.known.delete(this.known.keys().next().value as string);
    this.known.set(runUuid, sealed);
    return sealed;
  }
}
