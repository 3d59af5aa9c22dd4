import Docker from 'dockerode';
import type { StepFirewall } from '../runtime/stepFirewall';
import { LABEL_KIND, LABEL_MANAGED, LABEL_OWNER } from '../runtime/runtime';
import { TOKEN_VAR, URI_VAR, type TrackingEnv } from './tracking';

export const LABEL_WORKSPACE = 'io.conveyor.workspace';
/** Which server's database a container belongs to (a hash of its URL): recovery only touches its own. */
export const LABEL_STORE = 'io.conveyor.workspace-store';
/** Where the image's user 1000 has its home; the owner's named volume is mounted there. */
export const HOME = '/home/conveyor';
export const PORT = 8888;

export interface ContainerPlan {
  id: string;
  owner: string;
  image: string;
  volume: string;
  network: string;
  token: string;
  cpus: number;
  memoryBytes: number;
  /** More env (the MLflow variables of workspaces/tracking.ts). */
  env?: Record<string, string>;
}

/** What the proxy needs of a running container. */
export interface Live {
  containerId: string;
  ip: string;
  token: string;
  running: boolean;
  /** MLFLOW_TRACKING_URI and _TOKEN from the container's env (workspaces/tracking.ts), when set. */
  tracking?: TrackingEnv;
}

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

/** The Docker side of workspaces: one bridge network and one container per workspace, one home volume per user. */
export class WorkspaceEngine {
  constructor(
    /** This server's store identity (LABEL_STORE). */
    private readonly storeId: string,
    private readonly docker: Docker = new Docker(),
    /** Closes the host to the workspace's network but for its tracking port (runtime/stepFirewall.ts). */
    private readonly firewall?: StepFirewall
  ) {}

  static baseUrl(id: string): string {
    return `/conveyor/workspaces/${id}/`;
  }

  /** The workspace's own bridge: no traffic to other containers; `outbound` false = no route out of the host. */
  async ensureNetwork(name: string, id: string, owner: string, outbound: boolean): Promise<void> {
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: !outbound,
        CheckDuplicate: true,
        Labels: { [LABEL_MANAGED]: 'true', [LABEL_KIND]: 'workspace-network', [LABEL_WORKSPACE]: id, [LABEL_OWNER]: owner },
        Options: { 'com.docker.network.bridge.enable_icc': 'false' }
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
  }

  /** The network's gateway address: the host side of the bridge (the workspace's tracking listener binds there). */
  async gateway(name: string): Promise<string> {
    const info = (await this.docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
    const gateway = info.IPAM?.Config?.find(c => c.Gateway)?.Gateway;
    if (!gateway) throw new Error(`the network ${name} has no gateway address`);
    return gateway;
  }

  async ensureVolume(name: string, owner: string): Promise<void> {
    await this.docker.createVolume({ Name: name, Labels: { [LABEL_MANAGED]: 'true', [LABEL_KIND]: 'workspace-home', [LABEL_OWNER]: owner } });
  }

  /** Creates and starts the container; answers its id. */
  async run(plan: ContainerPlan): Promise<string> {
    const name = `conveyor-ws-${plan.id}`;
    // A container left from an earlier start (removed by hand half-way, a crash in stop): replace it.
    await this.remove(name);
    const container = await this.docker.createContainer({
      name,
      Image: plan.image,
      Cmd: [
        'jupyter',
        'lab',
        '--ip=0.0.0.0',
        `--port=${PORT}`,
        '--no-browser',
        `--ServerApp.base_url=${WorkspaceEngine.baseUrl(plan.id)}`,
        '--ServerApp.allow_remote_access=True',
        '--ServerApp.disable_check_xsrf=True',
        `--ServerApp.root_dir=${HOME}`
      ],
      // CONVEYOR_WORKSPACE_ID: the Conveyor server extension inside runs in workspace mode (inside.ts answers it).
      Env: [`JUPYTER_TOKEN=${plan.token}`, `HOME=${HOME}`, `CONVEYOR_WORKSPACE_ID=${plan.id}`, ...Object.entries(plan.env ?? {}).map(([k, v]) => `${k}=${v}`)],
      User: '1000:1000',
      WorkingDir: HOME,
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_OWNER]: plan.owner, [LABEL_KIND]: 'workspace', [LABEL_WORKSPACE]: plan.id, [LABEL_STORE]: this.storeId },
      HostConfig: {
        NetworkMode: plan.network,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Privileged: false,
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=512m' },
        Mounts: [{ Type: 'volume', Source: plan.volume, Target: HOME }],
        Binds: [],
        PidsLimit: 1024,
        Memory: plan.memoryBytes,
        MemorySwap: plan.memoryBytes,
        NanoCpus: Math.round(plan.cpus * 1e9),
        RestartPolicy: { Name: 'no' }
      }
    });
    await container.start();
    return container.id;
  }

  /** Address, token and state of a container; null when it is gone. */
  async inspect(containerId: string, network: string): Promise<Live | null> {
    try {
      const info = await this.docker.getContainer(containerId).inspect();
      const env = info.Config.Env ?? [];
      const value = (name: string) => env.find(e => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';
      const token = value('JUPYTER_TOKEN');
      const ip = info.NetworkSettings.Networks?.[network]?.IPAddress ?? '';
      const tracking = value(URI_VAR) && value(TOKEN_VAR) ? { uri: value(URI_VAR), token: value(TOKEN_VAR) } : undefined;
      return { containerId: info.Id, ip, token, running: info.State.Running, ...(tracking ? { tracking } : {}) };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** This store's workspace containers (running or not), by the workspace id label. */
  async listContainers(): Promise<{ id: string; workspace: string; running: boolean }[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_KIND}=workspace`, `${LABEL_STORE}=${this.storeId}`] } });
    return list.map(c => ({ id: c.Id, workspace: c.Labels[LABEL_WORKSPACE] ?? '', running: c.State === 'running' }));
  }

  /** Stops and removes the container, by id or name (idempotent). */
  async remove(containerId: string): Promise<void> {
    const c = this.docker.getContainer(containerId);
    try {
      await c.stop({ t: 5 });
    } catch (err) {
      if (statusOf(err) !== 304 && statusOf(err) !== 404) throw err;
    }
    try {
      await c.remove({ force: true });
    } catch (err) {
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
    }
  }

  /** The host's own services are closed to the workspace but for `port` (its tracking listener); false when not enforced. */
  async guard(name: string, port: number | null): Promise<boolean> {
    if (!this.firewall) return false;
    const net = await this.subnet(name);
    return net ? this.firewall.allowOnly(net, port, { established: true }) : false;
  }

  private async subnet(name: string): Promise<{ id: string; name: string; subnet: string; gateway: string } | null> {
    try {
      const info = (await this.docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
      const config = info.IPAM?.Config?.find(c => c.Subnet && c.Gateway);
      return config?.Subnet && config.Gateway ? { id: info.Id, name, subnet: config.Subnet, gateway: config.Gateway } : null;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async removeNetwork(name: string): Promise<void> {
    const net = this.firewall ? await this.subnet(name) : null;
    if (net) await this.firewall?.removeNetwork(net);
    try {
      await this.docker.getNetwork(name).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      // 409: another workspace of the same owner still uses it.
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
    }
  }
}
