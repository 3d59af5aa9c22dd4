import type Docker from 'dockerode';
import type { ImageTag } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { User } from '../store/users';
import type { RegistryCatalog } from './catalog';
import { checkTag, checkWrite } from './names';
import type { EngineAuth } from './settings';

/** One line of the engine's push/pull/build progress stream. */
interface Progress {
  status?: string;
  progress?: string;
  id?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string; ID?: string };
}

/** Reads an engine progress stream to its end; rejects with the engine's error message. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (e: Progress) => void = () => {}): Promise<Progress[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: Progress[]) => {
        const failed = err?.message ?? out?.find(e => e.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve(out);
      },
      (e: Progress) => onEvent(e)
    );
  });
}

export function progressLine(e: Progress): string | undefined {
  if (e.stream !== undefined) return e.stream.replace(/\n$/, '');
  if (e.error) return `error: ${e.error}`;
  if (e.status) return [e.id, e.status, e.progress].filter(Boolean).join(' ');
  return undefined;
}

/**
 * Pushes local engine images to the registry under immutable tags: `latest` and malformed tags
 * are 400, another namespace 403, an existing tag 409 tag_exists (asked of the registry first).
 */
export class ImagePusher {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly deps: { docker: Docker; catalog: RegistryCatalog; logger: Logger; engineAuth?: EngineAuth }
  ) {}

  /** Refuses what may not be pushed; call before any work (a build checks before building). */
  async check(user: User, repo: string, tag: string): Promise<void> {
    checkWrite(user, repo);
    checkTag(tag);
    const key = `${repo}:${tag}`;
    if (this.inFlight.has(key) || (await this.deps.catalog.exists(repo, tag))) {
      throw new AppError(409, 'tag_exists', `${repo}:${tag} already exists: tags are immutable, push a new version or build id`, {
        repository: repo,
        tag
      });
    }
  }

  async push(user: User, localImage: string, repo: string, tag: string, onLine: (line: string) => void = () => {}): Promise<ImageTag> {
    await this.check(user, repo, tag);
    const { docker, catalog, logger } = this.deps;
    const key = `${repo}:${tag}`;
    this.inFlight.add(key);
    try {
      const remote = `${catalog.address}/${repo}`;
      try {
        await docker.getImage(localImage).tag({ repo: remote, tag });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) {
          throw new AppError(404, 'unknown_image', `No image "${localImage}" on the container engine`, { image: localImage });
        }
        throw err;
      }
      const t0 = Date.now();
      const stream = (await docker.getImage(`${remote}:${tag}`).push({ authconfig: this.deps.engineAuth ?? { serveraddress: catalog.address } } as never)) as unknown as NodeJS.ReadableStream;
      try {
        await followProgress(docker, stream, e => {
          const line = progressLine(e);
          if (line) onLine(line);
        });
      } catch (err) {
        // Nothing half-written: the engine's tag for the refused push goes too.
        await docker.getImage(`${remote}:${tag}`).remove({ noprune: true }).catch(() => undefined);
        throw new AppError(502, 'push_failed', `Pushing ${repo}:${tag} failed: ${(err as Error).message}`, { repository: repo, tag });
      }
      logger.info({ user: user.name, repo, tag, ms: Date.now() - t0 }, 'image pushed');
      return await catalog.get(user, repo, tag);
    } finally {
      this.inFlight.delete(key);
    }
  }
}
