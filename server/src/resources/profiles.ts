import type { ResourceProfile } from '../../../schema/generated/api';

const GiB = 1024 ** 3;

/** The profiles that ship when the admin config names none. */
export const BUILTIN_PROFILES: readonly ResourceProfile[] = [
  { name: 'small', description: '1 CPU, 2 GiB', cpus: 1, memory: '2Gi', memoryBytes: 2 * GiB, gpus: 0, pricePerHour: 0.05, preemptiblePricePerHour: 0.015 },
  { name: 'medium', description: '2 CPUs, 4 GiB', cpus: 2, memory: '4Gi', memoryBytes: 4 * GiB, gpus: 0, pricePerHour: 0.1, preemptiblePricePerHour: 0.03 },
  { name: 'large', description: '4 CPUs, 16 GiB', cpus: 4, memory: '16Gi', memoryBytes: 16 * GiB, gpus: 0, pricePerHour: 0.4, preemptiblePricePerHour: 0.12 },
  {
    name: 'gpu',
    description: '4 CPUs, 16 GiB, 1 GPU',
    cpus: 4,
    memory: '16Gi',
    memoryBytes: 16 * GiB,
    gpus: 1,
    pricePerHour: 1.2,
    preemptiblePricePerHour: 0.36
  }
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

  /** USD per hour of a step: its profile's, else the cheapest profile covering its request, else the dearest. */
  priceOf(r: { profile?: string; cpus?: number; memoryBytes?: number; gpus?: number }, preemptible: boolean): number {
    const price = (p: ResourceProfile): number => (preemptible ? (p.preemptiblePricePerHour ?? p.pricePerHour) : p.pricePerHour);
    const named = r.profile ? this.get(r.profile) : undefined;
    if (named) return price(named);
    const byPrice = [...this.profiles].sort((a, b) => price(a) - price(b));
    const fits = byPrice.find(p => (r.cpus ?? 0) <= p.cpus && (r.memoryBytes ?? 0) <= p.memoryBytes && (r.gpus ?? 0) <= p.gpus);
    return fits ? price(fits) : price(byPrice[byPrice.length - 1]);
  }
}
