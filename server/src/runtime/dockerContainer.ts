import type Docker from 'dockerode';
import { LogFrameParser } from './logFrames';
import { ContainerNotFound, PathNotFound, type Container, type ContainerState, type LogLine } from './runtime';

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

async function* demux(stream: NodeJS.ReadableStream): AsyncIterable<LogLine> {
  const parser = new LogFrameParser();
  for await (const chunk of stream) {
    yield* parser.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  }
  yield* parser.end();
}

function timeOrNull(value: string | undefined): string | null {
  return !value || value.startsWith('0001-') ? null : value;
}

/** A Docker container behind the runtime's Container interface. */
export class DockerContainer implements Container {
  private readonly container: Docker.Container;

  constructor(
    private readonly docker: Docker,
    readonly id: string
  ) {
    this.container = docker.getContainer(id);
  }

  private gone(err: unknown): never {
    if (statusOf(err) === 404) {
      throw new ContainerNotFound(this.id);
    }
    throw err;
  }

  async putArchive(tar: Buffer | NodeJS.ReadableStream, path: string): Promise<void> {
    await this.container.putArchive(tar as NodeJS.ReadableStream, { path }).catch(err => this.gone(err));
  }

  async getArchive(path: string): Promise<NodeJS.ReadableStream> {
    try {
      return (await this.container.getArchive({ path })) as NodeJS.ReadableStream;
    } catch (err) {
      // The engine answers 404 both for a missing path and a missing container.
      if (statusOf(err) === 404) {
        await this.inspect();
        throw new PathNotFound(path);
      }
      throw err;
    }
  }

  async attach(): Promise<AsyncIterable<LogLine>> {
    const stream = (await this.container
      .attach({ stream: true, stdout: true, stderr: true, logs: false })
      .catch(err => this.gone(err))) as NodeJS.ReadableStream;
    return demux(stream);
  }

  async logs(opts: { follow?: boolean } = {}): Promise<AsyncIterable<LogLine>> {
    const follow = opts.follow ?? false;
    const result = await this.container
      .logs({ follow: follow as true, stdout: true, stderr: true })
      .catch(err => this.gone(err));
    if (Buffer.isBuffer(result)) {
      const parser = new LogFrameParser();
      const lines = [...parser.push(result), ...parser.end()];
      return (async function* () {
        yield* lines;
      })();
    }
    return demux(result as NodeJS.ReadableStream);
  }

  async waitNextExit(): Promise<number> {
    const result = (await this.container.wait({ condition: 'next-exit' }).catch(err => this.gone(err))) as {
      StatusCode: number;
    };
    return result.StatusCode;
  }

  async waitNotRunning(): Promise<number> {
    const result = (await this.container.wait({ condition: 'not-running' }).catch(err => this.gone(err))) as {
      StatusCode: number;
    };
    return result.StatusCode;
  }

  async start(): Promise<void> {
    await this.container.start().catch(err => {
      // 304: already started.
      if (statusOf(err) !== 304) {
        this.gone(err);
      }
    });
  }

  async inspect(): Promise<ContainerState> {
    const info = await this.container.inspect().catch(err => this.gone(err));
    const state = info.State;
    const exited = state.Status === 'exited' || state.Status === 'dead';
    return {
      id: info.Id,
      status: state.Status,
      running: Boolean(state.Running),
      exitCode: exited ? state.ExitCode : null,
      oomKilled: Boolean(state.OOMKilled) || (exited && state.ExitCode === 137 && (await this.hadOomEvent(state))),
      labels: info.Config.Labels ?? {},
      imageId: info.Image,
      startedAt: timeOrNull(state.StartedAt),
      finishedAt: timeOrNull(state.FinishedAt)
    };
  }

  /**
   * Whether the engine logged an `oom` event for this container while it ran. The kernel's OOM
   * killer sends SIGKILL (exit 137), but Docker's State.OOMKilled can miss it when the exit is
   * processed before the OOM notification (seen on cgroup v1); the daemon's event log cannot.
   */
  private async hadOomEvent(state: { StartedAt?: string; FinishedAt?: string }): Promise<boolean> {
    const started = Date.parse(state.StartedAt ?? '');
    const finished = Date.parse(state.FinishedAt ?? '');
    if (!Number.isFinite(started) || !Number.isFinite(finished)) {
      return false;
    }
    try {
      const stream = (await this.docker.getEvents({
        since: Math.floor(started / 1000) - 1,
        until: Math.ceil(finished / 1000) + 1,
        filters: JSON.stringify({ container: [this.id], event: ['oom'] })
      })) as NodeJS.ReadableStream;
      let text = '';
      for await (const chunk of stream) {
        text += chunk.toString();
      }
      return text.includes('"oom"');
    } catch {
      return false;
    }
  }

  async stop(timeoutSeconds = 10): Promise<void> {
    await this.container.stop({ t: timeoutSeconds }).catch(err => {
      // 304: already stopped; 404: already gone.
      if (statusOf(err) !== 304 && statusOf(err) !== 404) {
        throw err;
      }
    });
  }

  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch(err => {
      // 404: gone; 409: removal already in progress.
      if (statusOf(err) !== 404 && statusOf(err) !== 409) {
        throw err;
      }
    });
  }
}
