import type Docker from 'dockerode';
import { LABEL_MANAGED, type StepNetwork } from './runtime';

/**
 * The step network: a bridge with `Internal: true` (no route out of the host) and inter-container
 * traffic off, so a step container reaches exactly one thing, a listener on the gateway address.
 * Idempotent: an existing network of that name is reused (after checking it is ours and internal).
 */
export async function ensureStepNetwork(docker: Docker, name: string): Promise<StepNetwork> {
  let info = await inspect(docker, name);
  if (!info) {
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        Labels: { [LABEL_MANAGED]: 'true', 'io.conveyor.kind': 'step-network' },
        Options: { 'com.docker.network.bridge.enable_icc': 'false' }
      });
    } catch (err) {
      // 409: another server made it at the same time; use theirs.
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    }
    info = await inspect(docker, name);
  }
  if (!info) throw new Error(`the step network ${name} could not be created`);
  if (!info.Internal || info.Labels?.[LABEL_MANAGED] !== 'true') {
    throw new Error(`a network named ${name} exists but is not an internal Conveyor network; remove it or set CONVEYOR_STEP_NETWORK`);
  }
  const config = info.IPAM?.Config?.find(c => c.Gateway && c.Subnet);
  if (!config?.Gateway || !config.Subnet) throw new Error(`the step network ${name} has no gateway address`);
  return { name, id: info.Id, gateway: config.Gateway, subnet: config.Subnet };
}

async function inspect(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | null> {
  try {
    const info = (await docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
    // Lookups by name also match id prefixes: make sure it is this name.
    return info.Name === name ? info : null;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/** Joins a created container to the step network next to its bridge (a step with network access). */
export async function joinStepNetwork(docker: Docker, containerId: string, name: string): Promise<void> {
  await docker.getNetwork(name).connect({ Container: containerId });
}
