import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

type Fetch = typeof fetch;

/** Statuses a Response may not carry a body with. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * A fetch over node:https that trusts the given PEM bundle besides the system's roots
 * (CONVEYOR_REGISTRY_CA_FILE). Only the subset the registry client uses: string or no body, the
 * whole answer read into memory (manifests, config blobs, tag lists and tokens are small).
 */
export function fetchWithCa(ca: string): Fetch {
  const trusted = [...rootCertificates, ca];
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(String(input));
      if (url.protocol !== 'https:') {
        fetch(url, init).then(resolve, reject);
        return;
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => (headers[name] = value));
      const method = (init.method ?? 'GET').toUpperCase();
      const req = httpsRequest(url, { method, headers, ca: trusted }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 502;
          const body = method === 'HEAD' || NO_BODY.has(status) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: res.statusMessage, headers: out }));
        });
      });
      req.on('error', reject);
      if (init.body !== undefined && init.body !== null) req.write(init.body as string);
      req.end();
    })) as Fetch;
}
