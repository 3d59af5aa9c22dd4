import type { RunState, StepState } from '../../runs/model';

/** What a step's container gets so the mlflow client in it writes into the step's tracked run. */
export interface StepTrackingEnv {
  env: Record<string, string>;
  /** The internal step network to join; absent when there is none (no Docker network, no listener). */
  network?: string;
}

/**
 * The scheduler's hooks into experiment tracking. Both are idempotent (a server killed at any
 * point calls them again on recovery) and never throw: tracking never stops a step from running.
 */
export interface StepTrackingHooks {
  /** Before an attempt starts, or is followed again after a restart: its tracked run exists and is RUNNING. */
  attempt(run: RunState, step: StepState, opts: { reattach: boolean }): Promise<StepTrackingEnv>;
  /** A step reached a final status (`step` already carries the patch): ends or creates (cached) its tracked run. */
  ended(run: RunState, step: StepState): Promise<void>;
}
