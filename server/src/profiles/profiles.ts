import type { ResourceProfile } from '../../../schema/generated/api';

const GiB = 1024 ** 3;

/** The built-in resource profiles (the resources issue makes them configurable). */
export const BUILTIN_PROFILES: readonly ResourceProfile[] = [
  { name: 'small', description: '1 CPU, 2 GiB', cpus: 1, memory: '2Gi', memoryBytes: 2 * GiB, gpus: 0, pricePerHour: 0.05 },
  { name: 'medium', description: '2 CPUs, 4 GiB', cpus: 2, memory: '4Gi', memoryBytes: 4 * GiB, gpus: 0, pricePerHour: 0.1 },
  { name: 'large', description: '4 CPUs, 16 GiB', cpus: 4, memory: '16Gi', memoryBytes: 16 * GiB, gpus: 0, pricePerHour: 0.4 },
  { name: 'gpu', description: '4 CPUs, 16 GiB, 1 GPU', cpus: 4, memory: '16Gi', memoryBytes: 16 * GiB, gpus: 1, pricePerHour: 1.2 }
];

/** Looks profiles up by name. */
export class ProfileService {
  constructor(private readonly profiles: readonly ResourceProfile[] = BUILTIN_PROFILES) {}

  list(): ResourceProfile[] {
    return [...this.profiles];
  }

  get(name: string): ResourceProfile | undefined {
    return this.profiles.find(p => p.name === name);
  }
}
