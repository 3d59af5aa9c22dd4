import type { Resources } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { ProfileService } from '../resources/profiles';
import type { StepResources } from './model';

const UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4
};

/** `512Mi`, `2Gi`, `1.5G`, `1000` → bytes. */
export function parseSize(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(text);
  if (!m) {
    throw AppError.invalid(`invalid size "${text}" (e.g. 512Mi, 2Gi)`);
  }
  return Math.round(Number(m[1]) * UNITS[m[2] ?? '']);
}

/** A step's resources: the profile's, overridden by the pipeline defaults' and then the step's explicit fields. */
export function resolveResources(
  profiles: ProfileService,
  defaults: Resources | undefined,
  own: Resources | undefined,
  step: string
): StepResources {
  const name = own?.profile ?? defaults?.profile;
  const out: StepResources = {};
  if (name) {
    const profile = profiles.get(name);
    if (!profile) {
      throw new AppError(400, 'unknown_profile', `Step "${step}" asks for the unknown resource profile "${name}"`, {
        step,
        profile: name,
        known: profiles.list().map(p => p.name)
      });
    }
    out.profile = profile.name;
    out.cpus = profile.cpus;
    out.memoryBytes = profile.memoryBytes;
    out.gpus = profile.gpus || undefined;
  }
  for (const r of [defaults, own]) {
    if (r?.cpus !== undefined) out.cpus = r.cpus;
    if (r?.memory !== undefined) out.memoryBytes = parseSize(r.memory);
    if (r?.gpus !== undefined) out.gpus = r.gpus;
    if (r?.shm !== undefined) out.shmBytes = parseSize(r.shm);
  }
  return out;
}

export interface Capacity {
  cpus: number;
  memoryBytes: number;
  gpus: string[];
}

/** 422 exceeds_capacity when one step alone asks for more than the machine has. */
export function checkCapacity(step: string, r: StepResources, capacity: Capacity): void {
  const over = (resource: string, requested: number, available: number): AppError =>
    new AppError(
      422,
      'exceeds_capacity',
      `Step "${step}" asks for ${requested} ${resource} but the machine has ${available}`,
      { step, resource, requested, available }
    );
  if (r.cpus !== undefined && r.cpus > capacity.cpus) throw over('cpus', r.cpus, capacity.cpus);
  if (r.memoryBytes !== undefined && r.memoryBytes > capacity.memoryBytes) {
    throw over('memory bytes', r.memoryBytes, capacity.memoryBytes);
  }
  if (r.gpus !== undefined && r.gpus > capacity.gpus.length) throw over('gpus', r.gpus, capacity.gpus.length);
}
