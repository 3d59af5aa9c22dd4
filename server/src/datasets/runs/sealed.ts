import type { StepState } from '../../runs/model';

/** Most tracked runs remembered; beyond, the oldest answers are asked again. */
const REMEMBERED = 10_000;

export interface SealedStepsDeps {
  /** The tracked run's Conveyor run and step (TrackingService access rules' `run`). */
  trackedRun(runUuid: string): Promise<{ conveyor_run_id: string | null; step: string | null } | undefined>;
  /** The steps of a Conveyor run as stored at submit (runs/queries.ts). */
  steps(runId: string): Promise<StepState[]>;
}

/**
 * Whether a tracked run is a sealed step's, from what the server stored when the run was
 * submitted (the step's spec, via the tracked run's Conveyor run and step), never from anything
 * the run itself can write. Answers are kept: a step's spec never changes.
 */
export class SealedSteps {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly d: SealedStepsDeps) {}

  async of(runUuid: string): Promise<boolean> {
    const hit = this.known.get(runUuid);
    if (hit !== undefined) return hit;
    const tracked = await this.d.trackedRun(runUuid);
    const step = tracked?.conveyor_run_id && tracked.step ? (await this.d.steps(tracked.conveyor_run_id)).find(s => s.name === tracked.step) : undefined;
    const sealed = step?.spec.sealed === true;
    if (this.known.size >= REMEMBERED) this.known.delete(this.known.keys().next().value as string);
    this.known.set(runUuid, sealed);
    return sealed;
  }
}
