import type { StepImage } from '../../schema/generated/api';

/**
 * A group of the Images section: a namespace of the registry, or the local engine's images.
 */
export interface IImageGroup {
  /** `shared`, `users/<me>`, `users/<other>`, or `engine`. */
  key: string;
  kind: 'shared' | 'mine' | 'user' | 'engine';
  repositories: IRepository[];
}

export interface IRepository {
  /** `shared/datascience`, `users/ada/xgb`, or a local repository such as `conveyor/base`. */
  name: string;
  tags: StepImage[];
}

/**
 * What a step names to use an image: its registry ref, else its first local tag.
 */
export function imageRef(image: StepImage): string {
  return image.ref ?? image.tags[0] ?? image.id;
}

/** The repository of an image (registry repository, else its local tag's name). */
export function repositoryOf(image: StepImage): string {
  if (image.repository) {
    return image.repository;
  }
  const tag = image.tags[0] ?? image.id;
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : tag;
}

/** The tag of an image within its repository. */
export function tagOf(image: StepImage): string {
  if (image.tag) {
    return image.tag;
  }
  const tag = image.tags[0] ?? '';
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? tag.slice(colon + 1) : tag;
}

function groupOf(image: StepImage, me: string): Pick<IImageGroup, 'key' | 'kind'> {
  if (image.source !== 'registry') {
    return { key: 'engine', kind: 'engine' };
  }
  const repo = repositoryOf(image);
  if (repo.startsWith('shared/')) {
    return { key: 'shared', kind: 'shared' };
  }
  const user = repo.split('/')[1] ?? '';
  return user === me
    ? { key: `users/${user}`, kind: 'mine' }
    : { key: `users/${user}`, kind: 'user' };
}

const ORDER: Record<IImageGroup['kind'], number> = { shared: 0, mine: 1, user: 2, engine: 3 };

/**
 * Group images by namespace (shared/, users/<me>/, other users', local engine), repositories
 * sorted by name and tags newest first.
 */
export function groupImages(images: readonly StepImage[], me: string): IImageGroup[] {
  const groups = new Map<string, IImageGroup>();
  for (const image of images) {
    const { key, kind } = groupOf(image, me);
    let group = groups.get(key);
    if (!group) {
      group = { key, kind, repositories: [] };
      groups.set(key, group);
    }
    const name = repositoryOf(image);
    let repo = group.repositories.find(r => r.name === name);
    if (!repo) {
      repo = { name, tags: [] };
      group.repositories.push(repo);
    }
    repo.tags.push(image);
  }
  const result = [...groups.values()];
  for (const group of result) {
    group.repositories.sort((a, b) => a.name.localeCompare(b.name));
    for (const repo of group.repositories) {
      repo.tags.sort((a, b) => b.created.localeCompare(a.created));
    }
  }
  return result.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.key.localeCompare(b.key));
}

/**
 * Whether a search reads as a package question ("xgboost 2", "xgboost==2", "pandas>=2").
 */
export function looksLikePackage(query: string): boolean {
  return /^[A-Za-z0-9_.-]+\s*(==|>=|<=|=|\s)\s*[0-9]/.test(query.trim());
}
