import type Docker from 'dockerode';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { ImageNotFound, type Container, type ContainerState, type ImageDigest, type ManagedContainer, type RunHandle, type RunSpec, type Runtime, type RuntimeInfo } from '../runtime/runtime';
import type { RegistryClient } from './client';
import { parseRef } from './names';
import { followProgress } from './push';
import type { EngineAuth } from './settings';

/**
 * A Runtime whose image lookups pull registry references first: `<registry>/<repo>:<tag>` is
 * resolved to its manifest digest and pulled by that digest (`<repo>@sha256:…`), then tagged, so a
 * run records the exact image the registry had. `latest` (or no tag) of the registry is refused.
 * Everything else goes straight to the wrapped runtime.
 */
export class PullingRuntime implements Runtime {
  private readonly pulls = new Map<string, Promise<void>>();

  constructor(
    private readonly inner: Runtime,
    private readonly deps: { docker: Docker; client: RegistryClient; logger: Logger; engineAuth?: EngineAuth }
  ) {}

  info(): Promise<RuntimeInfo> {
    return this.inner.info();
  }
  run(spec: RunSpec): Promise<RunHandle> {
    return this.inner.run(spec);
  }
  listManaged(labels?: Record<string, string>): Promise<ManagedContainer[]> {
    return this.inner.listManaged(labels);
  }
  create(spec: RunSpec): Promise<Container> {
    return this.inner.create(spec);
  }
  container(id: string): Container {
    return this.inner.container(id);
  }
  get(id: string): Promise<ContainerState | null> {
    return this.inner.get(id);
  }

  async imageDigest(ref: string): Promise<ImageDigest> {
    const p = parseRef(ref);
    if (p.registry === this.deps.client.address) {
      if (!p.digest && (!p.tag || p.tag === 'latest')) {
        throw new AppError(400, 'invalid_tag', `"${ref}": runs never use "latest" or an untagged registry image; name a <version>-b<build id> tag`, {
          image: ref
        });
      }
      await this.ensure(ref, p.repository, p.tag, p.digest);
    }
    return this.inner.imageDigest(ref);
  }

  /** Pulls the image by digest unless the engine already has exactly that digest under `ref`. */
  private async ensure(ref: string, repo: string, tag: string | undefined, pinned: string | undefined): Promise<void> {
    const { client, docker, logger } = this.deps;
    const digest = pinned ?? (await client.head(repo, tag!));
    if (!digest) throw new ImageNotFound(ref);
    const byDigest = `${client.address}/${repo}@${digest}`;
    try {
      const local = await this.inner.imageDigest(ref);
      if (local.repoDigests.includes(byDigest)) return;
    } catch (err) {
      if (!(err instanceof ImageNotFound)) throw err;
    }
    let pull = this.pulls.get(byDigest);
    if (!pull) {
      pull = (async () => {
        const t0 = Date.now();
        const stream = (await docker.pull(byDigest, { authconfig: this.deps.engineAuth })) as NodeJS.ReadableStream;
        await followProgress(docker, stream);
        if (tag) await docker.getImage(byDigest).tag({ repo: `${client.address}/${repo}`, tag });
        logger.info({ image: byDigest, ms: Date.now() - t0 }, 'image pulled by digest');
      })().finally(() => this.pulls.delete(byDigest));
      this.pulls.set(byDigest, pull);
    }
    await pull;
  }
}
