import type Docker from 'dockerode';
import {
  LABEL_ATTEMPT,
  LABEL_KIND,
  LABEL_MANAGED,
  LABEL_OWNER,
  LABEL_RUN,
  LABEL_STEP,
  type RunSpec
} from './runtime';

const DEFAULT_USER = '1000:1000';
const DEFAULT_PIDS_LIMIT = 1024;

function checkUser(user: string): string {
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) {
    throw new Error(`run user must be numeric uid[:gid], got "${user}"`);
  }
  if (match[1] === '0' || match[2] === '0') {
    throw new Error('runs never start as root');
  }
  return user;
}

/** Labels the executor sets itself; any other io.conveyor.* label is reserved. */
const SYSTEM_LABELS = new Set([LABEL_RUN, LABEL_STEP, LABEL_ATTEMPT]);

function checkLabels(labels: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(labels)) {
    if (key.startsWith('io.conveyor.') && !SYSTEM_LABELS.has(key)) {
      throw new Error(`label ${key} is reserved`);
    }
  }
  return labels;
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Named volumes (datasets/runs/), read-only; a host path is refused. */
function volumeMounts(spec: RunSpec): Docker.MountSettings[] | undefined {
  if (!spec.volumes?.length) return undefined;
  return spec.volumes.map(v => {
    if (!VOLUME_NAME.test(v.name)) throw new Error(`"${v.name}" is not a volume name`);
    if (!v.containerPath.startsWith('/')) throw new Error(`volume target ${v.containerPath} must be absolute`);
    return { Type: 'volume', Source: v.name, Target: v.containerPath, ReadOnly: true };
  });
}

/**
 * The container create options for a run, with the secure defaults every Conveyor container gets:
 * non-root user, no network, all capabilities dropped, no-new-privileges, no host mounts but the
 * workspace, memory/CPU/pid limits, and the io.conveyor.* labels that let the server recover.
 */
export function createOptions(spec: RunSpec): Docker.ContainerCreateOptions {
  const binds = spec.workspace
    ? [`${spec.workspace.hostPath}:${spec.workspace.containerPath}:${spec.workspace.readOnly ? 'ro' : 'rw'}`]
    : [];
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    User: checkUser(spec.user ?? DEFAULT_USER),
    WorkingDir: spec.workingDir ?? spec.workspace?.containerPath,
    Tty: false,
    AttachStdin: false,
    OpenStdin: false,
    Labels: {
      ...checkLabels(spec.labels ?? {}),
      [LABEL_MANAGED]: 'true',
      [LABEL_OWNER]: spec.owner,
      [LABEL_KIND]: spec.kind
    },
    HostConfig: {
      // With a step network and no network access, that network is the only one (the engine
      // adds it next to the bridge after create otherwise: one network per create on API 1.41).
      NetworkMode: spec.network ? 'bridge' : (spec.stepNetwork ?? 'none'),
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Binds: binds,
      Mounts: volumeMounts(spec),
      Privileged: false,
      ReadonlyRootfs: false,
      PidsLimit: spec.pidsLimit ?? DEFAULT_PIDS_LIMIT,
      ShmSize: spec.shmBytes,
      DeviceRequests: spec.gpuDeviceIds?.length
        ? [{ Driver: 'nvidia', DeviceIDs: spec.gpuDeviceIds, Capabilities: [['gpu']] }]
        : undefined,
      Memory: spec.memoryBytes,
      // No swap beyond the memory limit, so OOM is an OOM and not a crawl.
      MemorySwap: spec.memoryBytes,
      NanoCpus: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
      AutoRemove: false,
      RestartPolicy: { Name: 'no' }
    }
  };
}
