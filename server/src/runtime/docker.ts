import Docker from 'dockerode';
import { createOptions } from './containerSpec';
import { DockerContainer } from './dockerContainer';
import { LogFrameParser } from './logFrames';
import {
  ImageNotFound,
  LABEL_MANAGED,
  type Container,
  type ContainerState,
  type ImageDigest,
  type LogLine,
  type ManagedContainer,
  type RunHandle,
  type RunResult,
  type RunSpec,
  type Runtime,
  type RuntimeInfo,
  type StepNetwork
} from './runtime';
import { GpuProbe } from './gpus';
import { ensureStepNetwork, joinStepNetwork } from './network';

const INFO_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string; address?: string };
  if (e?.code === 'ENOENT' || e?.code === 'ECONNREFUSED' || e?.code === 'EACCES') {
    return `cannot reach the Docker engine (${e.code}${e.address ? ` ${e.address}` : ''})`;
  }
  return e?.message ?? String(err);
}


class DockerRunHandle implements RunHandle {
  constructor(
    private readonly container: Docker.Container,
    private readonly exited: Promise<{ StatusCode: number }>
  ) {}

  get id(): string {
    return this.container.id;
  }

  async *logs(): AsyncIterable<LogLine> {
    const stream = (await this.container.logs({
      follow: true,
      stdout: true,
      stderr: true
    })) as unknown as NodeJS.ReadableStream;
    const parser = new LogFrameParser();
    for await (const chunk of stream) {
      yield* parser.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
    yield* parser.end();
  }

  async wait(): Promise<RunResult> {
    const { StatusCode } = await this.exited;
    const state = (await this.container.inspect()).State;
    return { exitCode: StatusCode, oomKilled: Boolean(state.OOMKilled) };
  }

  async stop(timeoutSeconds = 10): Promise<void> {
    try {
      await this.container.stop({ t: timeoutSeconds });
    } catch (err) {
      // 304: already stopped.
      if ((err as { statusCode?: number }).statusCode !== 304) {
        throw err;
      }
    }
  }

  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: true });
  }
}

/** The Runtime on a Docker engine, reached via DOCKER_HOST or /var/run/docker.sock. */
export class DockerRuntime implements Runtime {
  constructor(
    private readonly docker: Docker = new Docker(),
    private readonly gpus: GpuProbe = new GpuProbe()
  ) {}

  async info(): Promise<RuntimeInfo> {
    try {
      const [info, version] = await withTimeout(
        Promise.all([this.docker.info(), this.docker.version()]),
        INFO_TIMEOUT_MS,
        'Docker engine'
      );
      return {
        state: 'running',
        version: String(version.Version),
        apiVersion: String(version.ApiVersion),
        os: `${info.OperatingSystem} (${info.OSType}/${info.Architecture})`,
        containersRunning: Number(info.ContainersRunning ?? 0),
        images: Number(info.Images ?? 0),
        capacity: {
          cpus: Number(info.NCPU),
          memoryBytes: Number(info.MemTotal),
          gpus: await this.gpus.list(info.Runtimes as Record<string, unknown> | undefined)
        }
      };
    } catch (err) {
      return { state: 'unavailable', error: errorText(err) };
    }
  }

  async run(spec: RunSpec): Promise<RunHandle> {
    const container = await this.docker.createContainer(createOptions(spec));
    // Registered before start: a wait on a created container would return at once.
    const exited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    exited.catch(() => undefined);
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    return new DockerRunHandle(container, exited);
  }

  async listManaged(labels: Record<string, string> = {}): Promise<ManagedContainer[]> {
    const filters = [`${LABEL_MANAGED}=true`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
    const containers = await this.docker.listContainers({ all: true, filters: { label: filters } });
    return containers.map(c => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      image: c.Image,
      state: c.State,
      labels: c.Labels
    }));
  }

  async create(spec: RunSpec): Promise<Container> {
    try {
      const container = await this.docker.createContainer(createOptions(spec));
      if (spec.network && spec.stepNetwork) {
        await joinStepNetwork(this.docker, container.id, spec.stepNetwork).catch(async err => {
          await container.remove({ force: true }).catch(() => undefined);
          throw err;
        });
      }
      return new DockerContainer(this.docker, container.id);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404 && /image/i.test(String((err as Error).message))) {
        throw new ImageNotFound(spec.image);
      }
      throw err;
    }
  }

  container(id: string): Container {
    return new DockerContainer(this.docker, id);
  }

  async get(id: string): Promise<ContainerState | null> {
    try {
      return await this.container(id).inspect();
    } catch (err) {
      if ((err as { code?: string }).code === 'container_gone') {
        return null;
      }
      throw err;
    }
  }

  ensureStepNetwork(name: string): Promise<StepNetwork> {
    return ensureStepNetwork(this.docker, name);
  }

  async imageDigest(ref: string): Promise<ImageDigest> {
    try {
      const info = await this.docker.getImage(ref).inspect();
      return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        throw new ImageNotFound(ref);
      }
      throw err;
    }
  }
}
