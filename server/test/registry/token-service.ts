import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { tempDir } from '../helpers/env';

/** One request the token service answered. */
export interface TokenRequest {
  /** "docker" for the engine, "conveyor" for the server's own client. */
  client: 'docker' | 'conveyor';
  scopes: string[];
  granted: boolean;
}

export interface TokenService {
  realm: string;
  service: string;
  issuer: string;
  /** The PEM certificate the registry trusts (rootcertbundle). */
  certFile: string;
  requests: TokenRequest[];
  close(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * A small Docker token service (the `realm` of a registry with `auth: token`), as a team's
 * registry has: checks the Basic credentials (or the OAuth2 password grant the engine may POST),
 * and issues RS256 JWTs carrying the certificate (`x5c`) that the registry trusts, granting the
 * requested scopes for `expiresIn` seconds. Signed with a key made by openssl for this test.
 */
export async function tokenService(username: string, password: string, expiresIn = 300): Promise<TokenService> {
  const dir = tempDir('token-service');
  const keyFile = join(dir.path, 'key.pem');
  const certFile = join(dir.path, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=conveyor-test-token'], {
    stdio: 'ignore'
  });
  const key = readFileSync(keyFile, 'utf8');
  const x5c = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const service = 'conveyor-test-registry';
  const issuer = 'conveyor-test-issuer';
  const requests: TokenRequest[] = [];

  const sign = (scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map(s => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop() ?? '';
      return { type, name: rest.join(':'), actions: actions.split(',').filter(Boolean) };
    });
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [x5c] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: username, aud: service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key);
    return `${header}.${claims}.${b64url(signature)}`;
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const form = new URLSearchParams(req.method === 'POST' ? body : '');
      let user: string | undefined;
      let pass: string | undefined;
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      if (basic) [user, pass] = Buffer.from(basic[1], 'base64').toString().split(/:(.*)/s);
      if (form.get('grant_type') === 'password') [user, pass] = [form.get('username') ?? '', form.get('password') ?? ''];
      const scopes = [...url.searchParams.getAll('scope'), ...form.getAll('scope')].flatMap(s => s.split(' ')).filter(Boolean);
      const granted = user === username && pass === password;
      requests.push({ client: /docker/i.test(req.headers['user-agent'] ?? '') ? 'docker' : 'conveyor', scopes, granted });
      if (!granted) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      const token = sign(scopes);
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() }));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    close: async () => {
      await new Promise(resolve => server.close(resolve));
      dir.cleanup();
    }
  };
}
