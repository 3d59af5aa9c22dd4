import { AppError, isAppError } from '../core/errors';
import type { RegistrySettings } from './settings';

type Fetch = typeof fetch;

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses one `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(header: string | null): Challenge | null {
  const m = header ? /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header) : null;
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** What a request is about, for reusing the token its last challenge asked for. */
function requestKey(url: string, method: string): string {
  const path = new URL(url).pathname;
  if (path.startsWith('/v2/_catalog')) return 'catalog';
  const repo = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(path)?.[1] ?? '';
  const kind = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
  return `${kind} ${repo}`;
}

interface Token {
  value: string;
  expires: number;
}

/**
 * A fetch that authenticates to a Distribution registry the way Docker's clients do: on a 401 it
 * reads the challenge; `Basic` is answered with the configured credentials, `Bearer` by asking the
 * challenge's realm for a token (`service`, `scope`, with the credentials as Basic auth, anonymous
 * without) and retrying. Tokens are cached per scope until they expire (`expires_in`, default 60 s),
 * and a request of the same kind sends its token straight away. Secrets never leave in an error.
 */
export class AuthenticatingFetch {
  private readonly tokens = new Map<string, Token>();
  private readonly scopeOf = new Map<string, string>();
  private basic = false;

  constructor(
    private readonly settings: Pick<RegistrySettings, 'address' | 'username' | 'password'>,
    private readonly transport: Fetch = fetch,
    private readonly now: () => number = Date.now
  ) {}

  private basicHeader(): string | undefined {
    const { username, password } = this.settings;
    return username ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` : undefined;
  }

  private cached(tokenKey: string | undefined): string | undefined {
    const t = tokenKey ? this.tokens.get(tokenKey) : undefined;
    if (t && t.expires > this.now()) return `Bearer ${t.value}`;
    if (t) this.tokens.delete(tokenKey!);
    return undefined;
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    const key = requestKey(url, (init.method ?? 'GET').toUpperCase());
    const send = (authorization: string | undefined): Promise<Response> => {
      const headers = new Headers(init.headers);
      if (authorization) headers.set('Authorization', authorization);
      return this.transport(url, { ...init, headers });
    };
    const first = this.cached(this.scopeOf.get(key)) ?? (this.basic ? this.basicHeader() : undefined);
    const res = await send(first);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      await res.body?.cancel();
      const tokenKey = `${challenge.params.realm}|${challenge.params.service ?? ''}|${challenge.params.scope ?? ''}`;
      const authorization = this.cached(tokenKey) ?? (await this.token(tokenKey, challenge.params));
      this.scopeOf.set(key, tokenKey);
      return send(authorization);
    }
    if (challenge?.scheme === 'basic' && this.settings.username && first === undefined) {
      await res.body?.cancel();
      this.basic = true;
      return send(this.basicHeader());
    }
    return res;
  };

  /** GETs a token from the challenge's realm and caches it until it expires. */
  private async token(tokenKey: string, params: Record<string, string>): Promise<string> {
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set('service', params.service);
    for (const scope of (params.scope ?? '').split(' ').filter(Boolean)) realm.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    const basic = this.basicHeader();
    if (basic) headers.Authorization = basic;
    let res: Response;
    try {
      res = await this.transport(realm.toString(), { headers });
    } catch (err) {
      if (isAppError(err)) throw err;
      throw new AppError(503, 'registry_unavailable', `The token service of the registry at ${this.settings.address} is not reachable`, {
        realm: realm.origin + realm.pathname,
        reason: (err as Error).message
      });
    }
    if (!res.ok) {
      await res.body?.cancel();
      const credentials = this.settings.username ? "Conveyor's registry credentials" : 'anonymous access (no CONVEYOR_REGISTRY_USERNAME set)';
      throw new AppError(502, 'registry_unauthorized', `The registry's token service refused ${credentials} (${res.status})`, {
        registry: this.settings.address,
        status: res.status
      });
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const value = body.token ?? body.access_token;
    if (!value) {
      throw new AppError(502, 'registry_error', `The registry's token service at ${realm.origin} answered without a token`, { registry: this.settings.address });
    }
    const issued = body.issued_at ? Date.parse(body.issued_at) : NaN;
    const from = Number.isFinite(issued) ? Math.min(issued, this.now()) : this.now();
    const lifetime = (body.expires_in && body.expires_in > 0 ? body.expires_in : 60) * 1000;
    // Renew a little early, so a token never expires between the check and the registry's answer.
    this.tokens.set(tokenKey, { value, expires: from + lifetime - Math.min(10_000, lifetime / 10) });
    return `Bearer ${value}`;
  }
}
