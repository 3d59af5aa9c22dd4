import type { Demand, Reservation } from './pool';
import type { RunState, StepState } from './model';

/** A step holding resources: what the resources module meters and counts against quotas. */
export interface StepUse {
  owner: string;
  runId: string;
  step: string;
  attempt: number;
  /** The run's `project`, else its experiment. */
  project: string;
  preemptible: boolean;
  resources: StepState['spec']['resources'];
  reservation: Reservation;
  startedAt: Date;
}

/** The resources module's part in admission. */
export interface Admission {
  /** Why the owner's (or their team's) quota makes a step that fits the machine wait now, or null. */
  quotaWait(owner: string, demand: Demand): string | null;
  /** A step got its reservation (also when followed again after a restart). */
  started(use: StepUse): void;
  /** A step's attempt ended: release its quota share and meter its cost. */
  finished(use: StepUse, finishedAt: Date): Promise<void>;
}

export type Priority = 'high' | 'normal' | 'low';
export const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/** A queued step as GET /resources shows it: `position` 1 = starts next. */
export interface QueueEntry {
  position: number;
  runId: string;
  step: string;
  owner: string;
  priority: Priority;
  reason: 'capacity' | 'quota' | 'retry';
  message: string;
  resources: StepState['spec']['resources'];
  queuedAt: string | null;
}

export const priorityOf = (run: RunState): Priority => (run.submit.priority as Priority | undefined) ?? 'normal';
export const projectOf = (run: RunState): string => (typeof run.submit.project === 'string' ? run.submit.project : run.experiment);

/** A running step that could be preempted, and what it holds. */
export interface Preemptible {
  startedAt: Date;
  reservation: Reservation;
  /** Already being stopped: its resources are on their way back. */
  preempted: boolean;
}

/**
 * Which preemptible steps to stop so that `demand` fits: newest first, as few as needed. Steps
 * already being preempted count as free. `[]` when nothing more needs stopping, null when even
 * stopping every one would not make room.
 */
export function choosePreemptions<T extends Preemptible>(free: Demand, demand: Demand, running: T[]): T[] | null {
  const f = { ...free };
  const fits = (): boolean => demand.cpus <= f.cpus + 1e-9 && demand.memoryBytes <= f.memoryBytes && demand.gpus <= f.gpus;
  const add = (a: Preemptible): void => {
    f.cpus += a.reservation.cpus;
    f.memoryBytes += a.reservation.memoryBytes;
    f.gpus += a.reservation.gpuIds.length;
  };
  for (const a of running) if (a.preempted) add(a);
  if (fits()) return [];
  const chosen: T[] = [];
  for (const a of running.filter(c => !c.preempted).sort((x, y) => y.startedAt.getTime() - x.startedAt.getTime())) {
    chosen.push(a);
    add(a);
    if (fits()) return chosen;
  }
  return null;
}
