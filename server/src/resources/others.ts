import type { Runtime, RuntimeInfo } from '../runtime/runtime';

/**
 * Work outside the scheduler that holds quota and costs money while it runs (workspaces): counted
 * in the live running cost, metered against budgets and stopped at 100% like running steps.
 */
export interface OtherUse {
  owner: string;
  project: string;
  /** How messages name it, e.g. `workspace "lab"`. */
  label: string;
  pricePerHour: number;
  /** What it holds of the machine (the scheduler leaves it out of its capacity). */
  cpus: number;
  memoryBytes: number;
  startedAt: Date;
  stop(reason: string): Promise<void>;
  /** Shown in `GET /resources` `running` as this kind of work (with its id, name and profile) when set. */
  kind?: 'workspace';
  id?: string;
  name?: string;
  profile?: string;
}

/** The running work the scheduler does not know, gathered from the sources that registered it (workspaces/metering.ts). */
export class OtherRunning {
  private readonly sources: (() => OtherUse[])[] = [];

  add(source: () => OtherUse[]): void {
    this.sources.push(source);
  }

  all(): OtherUse[] {
    return this.sources.flatMap(s => s());
  }

  /**
   * The engine as the run scheduler should see it: the machine's CPUs and memory less what other
   * running work (workspaces) holds, so runs do not oversubscribe the machine. Everything else is
   * the engine itself.
   */
  schedulerRuntime(runtime: Runtime): Runtime {
    const info = async (): Promise<RuntimeInfo> => {
      const i = await runtime.info();
      if (i.state !== 'running') return i;
      const held = this.all().reduce((a, o) => ({ cpus: a.cpus + o.cpus, memoryBytes: a.memoryBytes + o.memoryBytes }), { cpus: 0, memoryBytes: 0 });
      return {
        ...i,
        capacity: { ...i.capacity, cpus: Math.max(0, i.capacity.cpus - held.cpus), memoryBytes: Math.max(0, i.capacity.memoryBytes - held.memoryBytes) }
      };
    };
    return new Proxy(runtime, {
      get(target, key) {
        if (key === 'info') return info;
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
    });
  }
}
