/**
 * What the rest of the server needs from a container engine. Docker today
 * (docker.ts); a Kubernetes runtime can implement the same interface later.
 */

export interface RunSpec {
  image: string;
  cmd: string[];
  /** Who the run belongs to; stored as the io.conveyor.owner label. */
  owner: string;
  /** What the run is (e.g. `step`, `test`); stored as the io.conveyor.kind label. */
  kind: string;
  env?: Record<string, string>;
  /** `uid:gid`, default `1000:1000`. Root is refused. */
  user?: string;
  /** Network access; default none. */
  network?: boolean;
  /** The one host directory a run may see. */
  workspace?: { hostPath: string; containerPath: string; readOnly?: boolean };
  workingDir?: string;
  memoryBytes?: number;
  cpus?: number;
  /** Extra labels; keys must not start with io.conveyor. */
  labels?: Record<string, string>;
  name?: string;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface RunResult {
  exitCode: number;
  oomKilled: boolean;
}

export interface RunHandle {
  readonly id: string;
  /** Output lines as they are written, until the container exits. */
  logs(): AsyncIterable<LogLine>;
  /** Resolves when the container exits. */
  wait(): Promise<RunResult>;
  stop(timeoutSeconds?: number): Promise<void>;
  remove(): Promise<void>;
}

export interface Gpu {
  id: string;
  name: string;
  memoryBytes?: number;
}

export type RuntimeInfo =
  | {
      state: 'running';
      version: string;
      apiVersion: string;
      os: string;
      containersRunning: number;
      images: number;
      capacity: { cpus: number; memoryBytes: number; gpus: Gpu[] };
    }
  | { state: 'unavailable'; error: string };

export interface ManagedContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
}

export interface Runtime {
  /** Engine state and capacity; never throws: an unreachable engine is `unavailable`. */
  info(): Promise<RuntimeInfo>;
  run(spec: RunSpec): Promise<RunHandle>;
  /** Containers carrying io.conveyor.managed=true and every given label. */
  listManaged(labels?: Record<string, string>): Promise<ManagedContainer[]>;
}

export const LABEL_MANAGED = 'io.conveyor.managed';
export const LABEL_OWNER = 'io.conveyor.owner';
export const LABEL_KIND = 'io.conveyor.kind';
