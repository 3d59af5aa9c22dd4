import type { Params, Sweep } from '../../../schema/generated/api';
import { AppError } from '../core/errors';

/** The most parameter sets one sweep may expand to. */
export const MAX_SWEEP_SETS = 1000;

function tooLarge(count: number): AppError {
  return new AppError(400, 'sweep_too_large', `The sweep expands to ${count} parameter sets; at most ${MAX_SWEEP_SETS} are allowed`, {
    count,
    max: MAX_SWEEP_SETS
  });
}

/**
 * The parameter sets of a sweep, each merged over `base`: the cartesian product of `grid` (the
 * first key varies slowest, values in the order given), or the `list` as written. A sweep with
 * neither gives `[base]`.
 */
export function expandSweep(sweep: Sweep, base: Params): Params[] {
  if (sweep.grid && sweep.list) {
    throw new AppError(400, 'invalid_pipeline', 'A sweep has either grid or list, not both', {
      errors: [{ path: '/sweep', message: 'must have either grid or list, not both' }]
    });
  }
  if (sweep.list) {
    if (sweep.list.length > MAX_SWEEP_SETS) throw tooLarge(sweep.list.length);
    return sweep.list.map(set => ({ ...base, ...set }));
  }
  if (sweep.grid) {
    const entries = Object.entries(sweep.grid).map(([k, v]) => [k, (v ?? []) as unknown[]] as const);
    const count = entries.reduce((n, [, values]) => n * values.length, 1);
    if (count > MAX_SWEEP_SETS) throw tooLarge(count);
    let sets: Params[] = [{ ...base }];
    for (const [key, values] of entries) {
      const next: Params[] = [];
      for (const set of sets) {
        for (const v of values) {
          next.push({ ...set, [key]: v as Params[string] });
        }
      }
      sets = next;
    }
    return sets;
  }
  return [{ ...base }];
}
