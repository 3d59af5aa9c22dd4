import { Client } from 'pg';
import { postgresUrl, tempDir } from './helpers/env';
import { json, SECRET, startTestServer, type TestServer } from './helpers/server';

/** The registry suites run on SQLite and on a Postgres database of their own (dropped and made anew). */
export interface Backend {
  name: string;
  /** A fresh database URL, or undefined when Postgres is not configured. */
  url(): Promise<string | undefined>;
  /** Removes what url() made; call after the servers on it are closed. */
  cleanup(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function backends(suite: string): Backend[] {
  let dir: { path: string; cleanup(): void } | undefined;
  // Per process: two test runs on one Postgres never drop each other's database.
  const db = `conveyor_models_${suite}_${process.pid}`;
  return [
    {
      name: 'sqlite',
      url: async () => {
        dir = tempDir(`models-${suite}`);
        return `sqlite:${dir.path}/conveyor.db`;
      },
      cleanup: async () => dir?.cleanup()
    },
    {
      name: 'postgres',
      url: async () => {
        const base = postgresUrl();
        if (!base) return undefined;
        await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await admin(`CREATE DATABASE ${db}`);
        const url = new URL(base);
        url.pathname = `/${db}`;
        return url.toString();
      },
      cleanup: async () => {
        if (postgresUrl()) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
    }
  ];
}

/** A real server plus small clients for its MLflow API and its Conveyor API, as one user or another. */
export class RegistryEnv {
  constructor(
    /** `http://127.0.0.1:<port>` of the server. */
    readonly origin: string,
    private readonly stop: () => Promise<void>,
    private readonly secret = SECRET
  ) {}

  /** An in-process server (test/helpers/server.ts) on the database. */
  static async start(databaseUrl: string): Promise<RegistryEnv> {
    const srv: TestServer = await startTestServer({ databaseUrl });
    return new RegistryEnv(`http://127.0.0.1:${srv.port}`, () => srv.close());
  }

  get mlflowBase(): string {
    return `${this.origin}/conveyor/mlflow/api/2.0/mlflow`;
  }

  private headers(user: string): Record<string, string> {
    return { 'X-Conveyor-Secret': this.secret, 'X-Conveyor-User': user };
  }

  /** An MLflow call: GET carries the fields in the query string, other verbs a JSON body. */
  async mlflow(user: string, method: string, path: string, body: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
    let url = `${this.mlflowBase}/${path}`;
    const init: RequestInit = { method, headers: this.headers(user) };
    if (method === 'GET') {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
      url += `?${qs}`;
    } else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const res = await fetch(url, init);
    const text = await res.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Calls that must succeed. */
  async ok(user: string, method: string, path: string, body: Record<string, unknown> = {}): Promise<any> {
    const res = await this.mlflow(user, method, path, body);
    expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 200, body: expect.anything() });
    return res.body;
  }

  /** An MLflow error with its status and code. */
  async fails(user: string, method: string, path: string, body: Record<string, unknown>, status: number, code: string): Promise<string> {
    const res = await this.mlflow(user, method, path, body);
    expect({ path, status: res.status, code: res.body?.error_code }).toEqual({ path, status, code });
    expect(typeof res.body.message).toBe('string');
    return res.body.message as string;
  }

  async api(user: string, path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.origin}/conveyor/api/v1${path}`, {
      ...init,
      headers: { ...this.headers(user), ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...(init.headers ?? {}) }
    });
  }

  async apiJson(user: string, path: string): Promise<any> {
    const res = await this.api(user, path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return json(res);
  }

  /** A tracked run of `user` with a metric, through MLflow's tracking API. */
  async trackedRun(user: string, experiment: string, metrics: Record<string, number> = {}): Promise<{ runId: string; artifactUri: string }> {
    const found = await this.mlflow(user, 'GET', 'experiments/get-by-name', { experiment_name: experiment });
    const experimentId =
      found.status === 200 ? found.body.experiment.experiment_id : (await this.ok(user, 'POST', 'experiments/create', { name: experiment })).experiment_id;
    const run = (await this.ok(user, 'POST', 'runs/create', { experiment_id: experimentId, start_time: Date.now() })).run;
    for (const [key, value] of Object.entries(metrics)) {
      await this.ok(user, 'POST', 'runs/log-metric', { run_id: run.info.run_id, key, value, timestamp: Date.now(), step: 0 });
    }
    return { runId: run.info.run_id, artifactUri: run.info.artifact_uri };
  }

  close(): Promise<void> {
    return this.stop();
  }
}
