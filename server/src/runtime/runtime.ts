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
  /**
   * An internal network (see network.ts) the container joins as well: its only network when
   * `network` is false, next to the default bridge when true.
   */
  stepNetwork?: string;
  /** The one host directory a run may see. */
  workspace?: { hostPath: string; containerPath: string; readOnly?: boolean };
  workingDir?: string;
  memoryBytes?: number;
  cpus?: number;
  /** Extra labels; keys must not start with io.conveyor. */
  labels?: Record<string, string>;
  name?: string;
  /** Size of /dev/shm. */
  shmBytes?: number;
  /** GPUs pinned by id (never a count: every job could get the same GPU). */
  gpuDeviceIds?: string[];
  /** Max processes; default 1024. */
  pidsLimit?: number;
  /**
   * Named Docker volumes to mount (datasets/runs/: a dataset version, populated once, always
   * read-only). Never host paths: `name` must be a volume name.
   */
  volumes?: { name: string; containerPath: string; readOnly: true }[];
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

/** What the engine says about one container (inspect). */
export interface ContainerState {
  id: string;
  /** created | running | paused | restarting | removing | exited | dead */
  status: string;
  running: boolean;
  /** Null while it has not exited. */
  exitCode: number | null;
  oomKilled: boolean;
  labels: Record<string, string>;
  /** The image id (`sha256:…`) the container was created from. */
  imageId: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** An image as the engine knows it. */
export interface ImageDigest {
  /** The image id, `sha256:…` (content of the config: identical for identical images). */
  id: string;
  /** `name@sha256:…` digests when the image came from (or went to) a registry. */
  repoDigests: string[];
}

/**
 * One container, created but not necessarily started: files go in before start, outputs come
 * out after exit, and every line it writes can be read from the first.
 */
export interface Container {
  readonly id: string;
  /** Extracts a tar archive into `path` (which must exist in the image or a previous archive). */
  putArchive(tar: Buffer | NodeJS.ReadableStream, path: string): Promise<void>;
  /** A tar of `path` (a file or a folder); throws PathNotFound when it does not exist. */
  getArchive(path: string): Promise<NodeJS.ReadableStream>;
  /** Stdout and stderr lines from now on until exit: call before start() to miss nothing. */
  attach(): Promise<AsyncIterable<LogLine>>;
  /** Every line written so far, then (follow) new ones until exit. */
  logs(opts?: { follow?: boolean }): Promise<AsyncIterable<LogLine>>;
  /** Resolves with the exit code at the next exit: call before start(). */
  waitNextExit(): Promise<number>;
  /** Resolves with the exit code once it is not running (at once if it has exited). */
  waitNotRunning(): Promise<number>;
  start(): Promise<void>;
  /** Throws ContainerNotFound when it is gone. */
  inspect(): Promise<ContainerState>;
  /** Idempotent: a stopped or missing container is fine. */
  stop(timeoutSeconds?: number): Promise<void>;
  /** Idempotent: a missing container is fine. */
  remove(): Promise<void>;
}

export interface Runtime {
  /** Engine state and capacity; never throws: an unreachable engine is `unavailable`. */
  info(): Promise<RuntimeInfo>;
  run(spec: RunSpec): Promise<RunHandle>;
  /** Containers carrying io.conveyor.managed=true and every given label. */
  listManaged(labels?: Record<string, string>): Promise<ManagedContainer[]>;
  /** Creates a container without starting it (same secure defaults as run). */
  create(spec: RunSpec): Promise<Container>;
  /** A handle on an existing container, e.g. one found by its labels after a restart. */
  container(id: string): Container;
  /** Inspects a container; null when it does not exist. */
  get(id: string): Promise<ContainerState | null>;
  /** The local image's id and registry digests; throws ImageNotFound. */
  imageDigest(ref: string): Promise<ImageDigest>;
  /**
   * Creates (or finds) an internal, labelled network whose containers reach only its gateway,
   * and answers its gateway address. Optional: runtimes without it give steps no such network.
   */
  ensureStepNetwork?(name: string): Promise<StepNetwork>;
}

/** An internal network for steps: containers on it reach the host only at `gateway`. */
export interface StepNetwork {
  name: string;
  id: string;
  gateway: string;
  /** The network's address range (CIDR), e.g. 172.18.0.0/16. */
  subnet: string;
}

/** The image is not on the engine (the scheduler answers 400 unknown_image). */
export class ImageNotFound extends Error {
  readonly code = 'unknown_image';
  constructor(readonly ref: string) {
    super(`image ${ref} is not on the container engine`);
    this.name = 'ImageNotFound';
  }
}

/** The container no longer exists. */
export class ContainerNotFound extends Error {
  readonly code = 'container_gone';
  constructor(readonly containerId: string) {
    super(`container ${containerId.slice(0, 12)} does not exist`);
    this.name = 'ContainerNotFound';
  }
}

/** A path asked of getArchive does not exist in the container. */
export class PathNotFound extends Error {
  readonly code = 'path_not_found';
  constructor(readonly path: string) {
    super(`${path} does not exist in the container`);
    this.name = 'PathNotFound';
  }
}

export const LABEL_MANAGED = 'io.conveyor.managed';
export const LABEL_OWNER = 'io.conveyor.owner';
export const LABEL_KIND = 'io.conveyor.kind';
export const LABEL_RUN = 'io.conveyor.run';
export const LABEL_STEP = 'io.conveyor.step';
export const LABEL_ATTEMPT = 'io.conveyor.attempt';
