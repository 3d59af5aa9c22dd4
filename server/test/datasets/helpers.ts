import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SECRET, startTestServer, type TestServer } from '../helpers/server';

export function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** Writes `files` (relpath → content) under `root`. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

/** A real server with a workspace, and small clients for the datasets API and the DVC remote. */
export class DatasetsEnv {
  constructor(
    readonly srv: TestServer,
    readonly workspace: string,
    readonly dataDir: string
  ) {}

  /** `dataDir` holds the store (`<dataDir>/datasets/store`); the database is `databaseUrl` or SQLite in a temp dir. */
  static async start(opts: { databaseUrl?: string; workspace: string; dataDir: string }): Promise<DatasetsEnv> {
    const srv = await startTestServer({
      workspaceDir: opts.workspace,
      dataDir: opts.dataDir,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {})
    });
    return new DatasetsEnv(srv, opts.workspace, opts.dataDir);
  }

  get storeDir(): string {
    return join(this.dataDir, 'datasets', 'store');
  }

  objectPath(id: string): string {
    return join(this.storeDir, 'files', 'md5', id.slice(0, 2), id.slice(2));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.srv.port}`;
  }

  headers(user: string, extra: Record<string, string> = {}): Record<string, string> {
    return { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': user, ...extra };
  }

  async api(
    user: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ): Promise<{ status: number; body: any; text: string; headers: Headers }> {
    const res = await fetch(`${this.srv.url}${path}`, {
      method,
      headers: this.headers(user, body === undefined ? headers : { 'Content-Type': 'application/json', ...headers }),
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** POST /datasets/versions, expecting success. */
  async add(user: string, body: Record<string, unknown>): Promise<any> {
    const r = await this.api(user, 'POST', '/datasets/versions', body);
    if (r.status !== 201 && r.status !== 200) throw new Error(`add failed: ${r.status} ${r.text}`);
    return r.body;
  }

  async dvc(user: string, method: string, id: string, body?: Buffer): Promise<{ status: number; bytes: Buffer; body: any }> {
    const res = await fetch(`${this.origin}/conveyor/dvc/files/md5/${id.slice(0, 2)}/${id.slice(2)}`, {
      method,
      headers: this.headers(user),
      body
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    let parsed: any;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    return { status: res.status, bytes, body: parsed };
  }
}
