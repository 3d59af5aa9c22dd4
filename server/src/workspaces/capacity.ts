import { AppError } from '../core/errors';
import type { Runtime } from '../runtime/runtime';
import type { Demand } from '../resources/quotas';

/**
 * 422 exceeds_capacity when a workspace's profile asks for more CPUs or memory than the machine
 * has at all (like a run's step, runs/resources.ts `checkCapacity`): it could never start. What
 * other work holds now does not count here (that is a quota or a wait). Skipped when the engine
 * does not answer: the start fails on its own then.
 */
export async function checkWorkspaceCapacity(runtime: Runtime, name: string, profile: string, demand: Demand): Promise<void> {
  const info = await runtime.info();
  if (info.state !== 'running') return;
  const over = (resource: string, requested: number, available: number): AppError =>
    new AppError(
      422,
      'exceeds_capacity',
      `Workspace "${name}" with profile ${profile} asks for ${requested} ${resource} but the machine has ${available}`,
      { workspace: name, profile, resource, requested, available }
    );
  if (demand.cpus > info.capacity.cpus) throw over('cpus', demand.cpus, info.capacity.cpus);
  if (demand.memoryBytes > info.capacity.memoryBytes) throw over('memory bytes', demand.memoryBytes, info.capacity.memoryBytes);
}
