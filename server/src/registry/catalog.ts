import type { ImageTag, StepImage } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { User } from '../store/users';
import type { Manifest, RegistryClient } from './client';
import { mapLimit } from './limit';
import { checkTag, checkWrite, parseRepository, userComponent } from './names';
import { LABEL_BUILD_ID, LABEL_VERSION, matchPackages, packagesOf, parsePackageQuery } from './packages';

const CONCURRENCY = 16;

interface ConfigInfo {
  created: string;
  labels: Record<string, string>;
}

/** Whether `user` may see `repo`: shared/ and their own users/<me>/ (admins: everything). */
export function maySee(user: User, repo: string): boolean {
  if (user.admin) return true;
  try {
    const r = parseRepository(repo);
    return r.namespace === 'shared' || r.owner === userComponent(user.name);
  } catch {
    return false;
  }
}

/**
 * The registry's repositories and tags as Conveyor shows them. Tags are immutable, so a tag's
 * manifest and a config blob are cached once read; a delete through this service forgets them.
 */
export class RegistryCatalog {
  private readonly manifests = new Map<string, Manifest>();
  private readonly configs = new Map<string, ConfigInfo>();

  constructor(private readonly client: RegistryClient) {}

  get address(): string {
    return this.client.address;
  }

  refOf(repo: string, tag: string): string {
    return `${this.client.address}/${repo}:${tag}`;
  }

  private async manifest(repo: string, tag: string): Promise<Manifest | null> {
    const key = `${repo}:${tag}`;
    const hit = this.manifests.get(key);
    if (hit) return hit;
    const m = await this.client.manifest(repo, tag);
    if (m) this.manifests.set(key, m);
    return m;
  }

  private async configOf(repo: string, m: Manifest): Promise<ConfigInfo> {
    const hit = this.configs.get(m.config.digest);
    if (hit) return hit;
    const c = await this.client.config(repo, m.config.digest);
    const info = { created: c.created ?? new Date(0).toISOString(), labels: c.config?.Labels ?? {} };
    this.configs.set(m.config.digest, info);
    return info;
  }

  /** One tag with its package lists; null when it does not exist. */
  private async describe(repo: string, tag: string): Promise<ImageTag | null> {
    const m = await this.manifest(repo, tag);
    if (!m) return null;
    const c = await this.configOf(repo, m);
    return {
      repository: repo,
      tag,
      ref: this.refOf(repo, tag),
      digest: m.digest,
      imageId: m.config.digest,
      sizeBytes: m.config.size + m.layers.reduce((n, l) => n + l.size, 0),
      created: c.created,
      buildId: c.labels[LABEL_BUILD_ID] ?? /-b([0-9a-z]+)$/.exec(tag)?.[1] ?? '',
      version: c.labels[LABEL_VERSION] ?? tag.split('-b')[0],
      labels: c.labels,
      packages: packagesOf(c.labels)
    };
  }

  /** Every tag the user may see, as list entries; filtered by `q` (name) and `package`. */
  async list(user: User, opts: { q?: string; package?: string } = {}): Promise<StepImage[]> {
    const pkg = opts.package ? parsePackageQuery(opts.package) : undefined;
    if (opts.package && !pkg) {
      throw AppError.invalid(`"${opts.package}" is not a package query: use a name, name==version or "name version"`);
    }
    const q = opts.q?.toLowerCase();
    const repos = (await this.client.catalog()).filter(r => maySee(user, r));
    const pairs = (await mapLimit(repos, CONCURRENCY, async repo => (await this.client.tags(repo)).map(tag => ({ repo, tag })))).flat();
    const wanted = q ? pairs.filter(p => `${p.repo}:${p.tag}`.toLowerCase().includes(q)) : pairs;
    const described = await mapLimit(wanted, CONCURRENCY, p => this.describe(p.repo, p.tag).catch(() => null));
    const out: StepImage[] = [];
    for (const t of described) {
      if (!t) continue;
      const matches = pkg ? matchPackages(t.packages, pkg) : undefined;
      if (matches && matches.length === 0) continue;
      const r = parseRepository(t.repository);
      out.push({
        id: t.imageId ?? t.digest,
        tags: [t.ref],
        created: t.created,
        sizeBytes: t.sizeBytes,
        labels: Object.fromEntries(Object.entries(t.labels).filter(([k]) => !k.startsWith('io.conveyor.packages.'))),
        source: 'registry',
        repository: t.repository,
        tag: t.tag,
        ref: t.ref,
        digest: t.digest,
        buildId: t.buildId,
        version: t.version,
        ...(r.owner ? { owner: r.owner } : {}),
        ...(matches ? { matches } : {})
      });
    }
    return out.sort((a, b) => a.repository!.localeCompare(b.repository!) || b.created.localeCompare(a.created));
  }

  /** GET /images/{repo}/tags/{tag}: 404 when absent or not the caller's to see. */
  async get(user: User, repo: string, tag: string): Promise<ImageTag> {
    parseRepository(repo);
    const t = maySee(user, repo) ? await this.describe(repo, tag) : null;
    if (!t) throw new AppError(404, 'image_not_found', `No image ${repo}:${tag} in the registry`, { repository: repo, tag });
    return t;
  }

  /** Whether the tag exists (always asks the registry: the immutability check must not trust a cache). */
  async exists(repo: string, tag: string): Promise<string | null> {
    return this.client.head(repo, tag);
  }

  /**
   * Deletes one tag. The registry deletes manifests by digest, which removes every tag of that
   * digest: the other tags of the repository sharing it are put back.
   */
  async delete(user: User, repo: string, tag: string): Promise<void> {
    parseRepository(repo);
    checkTag(tag);
    if (!maySee(user, repo)) throw new AppError(404, 'image_not_found', `No image ${repo}:${tag} in the registry`, { repository: repo, tag });
    checkWrite(user, repo);
    const m = await this.client.manifest(repo, tag);
    if (!m) throw new AppError(404, 'image_not_found', `No image ${repo}:${tag} in the registry`, { repository: repo, tag });
    const others = (await this.client.tags(repo)).filter(t => t !== tag);
    const digests = await mapLimit(others, CONCURRENCY, t => this.client.head(repo, t));
    const sharing = others.filter((_, i) => digests[i] === m.digest);
    await this.client.deleteManifest(repo, m.digest);
    this.manifests.delete(`${repo}:${tag}`);
    await mapLimit(sharing, CONCURRENCY, t => this.client.putManifest(repo, t, m.raw, m.mediaType));
  }
}
