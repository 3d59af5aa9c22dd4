import Docker from 'dockerode';
import type { StepImage } from '../../../schema/generated/api';
import { AppError } from '../core/errors';

/** Where step images come from: the local engine today, a registry later. */
export interface ImageSource {
  list(): Promise<StepImage[]>;
}

/** Images of the local Docker engine that have a tag (dangling `<none>` images are skipped). */
export class DockerImageSource implements ImageSource {
  constructor(private readonly docker: Docker = new Docker()) {}

  async list(): Promise<StepImage[]> {
    let images: Docker.ImageInfo[];
    try {
      images = await this.docker.listImages({ all: false });
    } catch (err) {
      throw new AppError(503, 'engine_unavailable', 'The container engine is not reachable', {
        reason: (err as Error).message
      });
    }
    return images
      .map(image => ({
        id: image.Id,
        tags: (image.RepoTags ?? []).filter(t => t && t !== '<none>:<none>').sort(),
        created: new Date(Number(image.Created) * 1000).toISOString(),
        sizeBytes: Number(image.Size ?? 0),
        labels: image.Labels ?? {}
      }))
      .filter(image => image.tags.length > 0)
      .sort((a, b) => a.tags[0].localeCompare(b.tags[0]));
  }
}
