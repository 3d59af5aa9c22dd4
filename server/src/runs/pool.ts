import type { StepResources } from './model';
import type { Capacity } from './resources';

/** What a step asks for, with the default CPUs applied. */
export interface Demand {
  cpus: number;
  memoryBytes: number;
  gpus: number;
}

/** What a running step holds of the machine. */
export interface Reservation {
  cpus: number;
  memoryBytes: number;
  gpuIds: string[];
}

/**
 * The machine's CPUs, memory and GPUs, handed out to running steps. A step that asks for no
 * CPUs reserves `defaultCpus` so an unbounded number of small steps cannot start at once.
 */
export class ResourcePool {
  private cpus = 0;
  private memoryBytes = 0;
  private readonly gpusInUse = new Set<string>();

  constructor(
    private capacity: Capacity,
    private readonly defaultCpus: number
  ) {}

  /** What running steps hold now. */
  reserved(): { cpus: number; memoryBytes: number; gpuIds: string[] } {
    return { cpus: this.cpus, memoryBytes: this.memoryBytes, gpuIds: [...this.gpusInUse] };
  }

  /** What is free now. */
  free(): Demand {
    return {
      cpus: this.capacity.cpus - this.cpus,
      memoryBytes: this.capacity.memoryBytes - this.memoryBytes,
      gpus: this.capacity.gpus.filter(id => !this.gpusInUse.has(id)).length
    };
  }

  setCapacity(capacity: Capacity): void {
    this.capacity = capacity;
  }

  /** What a step holds while it runs: its CPUs (or the default), memory and GPU count. */
  wants(r: StepResources): Demand {
    return { cpus: r.cpus ?? this.defaultCpus, memoryBytes: r.memoryBytes ?? 0, gpus: r.gpus ?? 0 };
  }

  /** Reserves the step's resources, or returns null when they do not fit now. */
  tryReserve(r: StepResources): Reservation | null {
    const w = this.wants(r);
    const freeGpus = this.capacity.gpus.filter(id => !this.gpusInUse.has(id));
    const eps = 1e-9;
    if (
      this.cpus + w.cpus > this.capacity.cpus + eps ||
      this.memoryBytes + w.memoryBytes > this.capacity.memoryBytes ||
      w.gpus > freeGpus.length
    ) {
      return null;
    }
    return this.take(w.cpus, w.memoryBytes, freeGpus.slice(0, w.gpus));
  }

  /** Reserves regardless of what is free (a step found running after a restart). */
  forceReserve(r: StepResources): Reservation {
    const w = this.wants(r);
    return this.take(w.cpus, w.memoryBytes, this.capacity.gpus.filter(id => !this.gpusInUse.has(id)).slice(0, w.gpus));
  }

  release(r: Reservation): void {
    this.cpus = Math.max(0, this.cpus - r.cpus);
    this.memoryBytes = Math.max(0, this.memoryBytes - r.memoryBytes);
    for (const id of r.gpuIds) this.gpusInUse.delete(id);
  }

  private take(cpus: number, memoryBytes: number, gpuIds: string[]): Reservation {
    this.cpus += cpus;
    this.memoryBytes += memoryBytes;
    for (const id of gpuIds) this.gpusInUse.add(id);
    return { cpus, memoryBytes, gpuIds };
  }
}
