import { AppError, isAppError } from '../core/errors';
import { AuthenticatingFetch } from './auth';
import type { RegistrySettings } from './settings';
import { fetchWithCa } from './transport';

/** Manifest media types a client asks for: Docker v2 and OCI, single images and lists/indexes. */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json'
];
const LIST_TYPES = new Set(MANIFEST_TYPES.slice(2));

export interface Manifest {
  digest: string;
  mediaType: string;
  /** The raw bytes: PUT them back unchanged to add a tag to the same image. */
  raw: string;
  config: { digest: string; size: number };
  layers: { digest: string; size: number }[];
}

export interface ImageConfig {
  created?: string;
  config?: { Labels?: Record<string, string> | null };
}

type Fetch = typeof fetch;

function unavailable(address: string, err: unknown): AppError {
  return new AppError(503, 'registry_unavailable', `The image registry at ${address} is not reachable`, {
    reason: (err as Error).message
  });
}

/** `<next>; rel="next"` of the Link header, relative to the registry. */
function nextLink(header: string | null): string | undefined {
  const m = header ? /<([^>]+)>;\s*rel="next"/.exec(header) : null;
  return m?.[1];
}

/**
 * A small client of the OCI distribution API (`/v2/…`) over fetch: catalog and tag listing with
 * pagination, manifests (HEAD for existence and digest), config blobs, tag by manifest PUT, delete.
 */
export class RegistryClient {
  readonly base: string;

  constructor(
    /** host:port, e.g. 127.0.0.1:5000 */
    readonly address: string,
    private readonly fetchImpl: Fetch = fetch,
    scheme: 'http' | 'https' = 'http'
  ) {
    this.base = /^https?:\/\//.test(address) ? address : `${scheme}://${address}`;
  }

  /** A client with the settings' scheme, CA bundle and credentials (Basic or Bearer tokens). */
  static from(settings: RegistrySettings): RegistryClient {
    const transport = settings.ca ? fetchWithCa(settings.ca) : fetch;
    return new RegistryClient(settings.address, new AuthenticatingFetch(settings, transport).fetch, settings.scheme);
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await this.fetchImpl(path.startsWith('http') ? path : `${this.base}${path}`, init);
    } catch (err) {
      if (isAppError(err)) throw err;
      throw unavailable(this.address, err);
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text().catch(() => '');
    if (res.status === 401 || res.status === 403) {
      const why = res.status === 401 ? 'refused to authenticate Conveyor' : 'denied Conveyor access';
      throw new AppError(502, 'registry_unauthorized', `The registry at ${this.address} ${why} (${res.status} to ${what}): check CONVEYOR_REGISTRY_USERNAME and its password`, {
        status: res.status
      });
    }
    throw new AppError(502, 'registry_error', `The registry answered ${res.status} to ${what}`, { body: text.slice(0, 500) });
  }

  /** Whether the registry answers `/v2/` with 200 once authenticated. */
  async ping(): Promise<boolean> {
    try {
      return (await this.fetchImpl(`${this.base}/v2/`)).ok;
    } catch {
      return false;
    }
  }

  private async paged(first: string, key: 'repositories' | 'tags', what: string): Promise<string[]> {
    const out: string[] = [];
    let url: string | undefined = first;
    while (url) {
      const res = await this.call(url);
      if (res.status === 404) return out;
      if (!res.ok) await this.fail(res, what);
      const body = (await res.json()) as Record<string, string[] | null>;
      out.push(...(body[key] ?? []));
      url = nextLink(res.headers.get('link'));
    }
    return out;
  }

  /** Every repository, following `Link: rel="next"` pages of `n`. */
  catalog(pageSize = 1000): Promise<string[]> {
    return this.paged(`/v2/_catalog?n=${pageSize}`, 'repositories', 'the catalog');
  }

  /** Every tag of a repository ([] when the repository does not exist). */
  tags(repo: string, pageSize = 1000): Promise<string[]> {
    return this.paged(`/v2/${repo}/tags/list?n=${pageSize}`, 'tags', `the tags of ${repo}`);
  }

  /** The manifest digest of a tag, or null when the tag does not exist. */
  async head(repo: string, reference: string): Promise<string | null> {
    const res = await this.call(`/v2/${repo}/manifests/${reference}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES.join(', ') } });
    if (res.status === 404) return null;
    if (!res.ok) await this.fail(res, `HEAD ${repo}:${reference}`);
    return res.headers.get('docker-content-digest');
  }

  /** A single-image manifest (an index is resolved to its linux/amd64 entry); null when absent. */
  async manifest(repo: string, reference: string): Promise<Manifest | null> {
    const res = await this.call(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(', ') } });
    if (res.status === 404) return null;
    if (!res.ok) await this.fail(res, `GET ${repo}:${reference}`);
    const raw = await res.text();
    const body = JSON.parse(raw) as {
      mediaType?: string;
      config?: { digest: string; size: number };
      layers?: { digest: string; size: number }[];
      manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
    };
    const mediaType = body.mediaType ?? res.headers.get('content-type') ?? '';
    if (LIST_TYPES.has(mediaType) || body.manifests) {
      const pick = body.manifests?.find(m => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ?? body.manifests?.[0];
      return pick ? this.manifest(repo, pick.digest) : null;
    }
    return {
      digest: res.headers.get('docker-content-digest') ?? '',
      mediaType,
      raw,
      config: body.config ?? { digest: '', size: 0 },
      layers: body.layers ?? []
    };
  }

  /** The image config blob (created, labels). */
  async config(repo: string, digest: string): Promise<ImageConfig> {
    const res = await this.call(`/v2/${repo}/blobs/${digest}`);
    if (!res.ok) await this.fail(res, `GET blob ${digest}`);
    return (await res.json()) as ImageConfig;
  }

  /** Puts a manifest under a tag (the blobs must already be in the repository). */
  async putManifest(repo: string, tag: string, raw: string, mediaType: string): Promise<string> {
    const res = await this.call(`/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: raw });
    if (!res.ok) await this.fail(res, `PUT ${repo}:${tag}`);
    return res.headers.get('docker-content-digest') ?? '';
  }

  /** Deletes a manifest by digest (every tag pointing at it goes with it). */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    const res = await this.call(`/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
    if (res.status === 404) return false;
    if (!res.ok) await this.fail(res, `DELETE ${repo}@${digest}`);
    return true;
  }
}
