import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { postgresUrl } from './helpers/env';
import { secretHeaders, startTestServer, type TestServer } from './helpers/server';

/** The stores the tracking suites run on: SQLite always, Postgres in its own schema when configured. */
export interface TrackingBackend {
  name: 'sqlite' | 'postgres';
  url?: string;
}

const pg = postgresUrl();
export const BACKENDS: TrackingBackend[] = [{ name: 'sqlite' }, { name: 'postgres', url: pg }];

/** A real server on a fresh store: SQLite in a temp dir, or a fresh Postgres schema (dropped on close). */
export async function startTrackingServer(backend: TrackingBackend): Promise<TestServer> {
  if (backend.name === 'sqlite') return startTestServer();
  const schema = `trk_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: backend.url, max: 1 });
  await admin.query(`create schema ${schema}`);
  const url = new URL(backend.url!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const server = await startTestServer({ databaseUrl: url.toString() });
  return {
    ...server,
    close: async () => {
      await server.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  };
}

/** The MLflow REST API of a test server, as a user (embedded mode: secret + user headers). */
export function mlflowClient(server: TestServer, user = 'alice') {
  const base = server.url.replace('/conveyor/api/v1', '/conveyor/mlflow');
  const call = async (method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; body: any; text: string }> => {
    let url = `${base}${path}`;
    const init: RequestInit = { method, headers: { ...secretHeaders(user), 'Content-Type': 'application/json' } };
    if (method === 'GET' && body) url += `?${new URLSearchParams(body as Record<string, string>)}`;
    else if (raw !== undefined) init.body = raw;
    else if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(url, init);
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
  return {
    base,
    call,
    post: (path: string, body?: unknown) => call('POST', `/api/2.0/mlflow/${path}`, body ?? {}),
    get: (path: string, query?: Record<string, string>) => call('GET', `/api/2.0/mlflow/${path}`, query),
    async createRun(experimentId = '0', extra: Record<string, unknown> = {}): Promise<string> {
      const res = await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, start_time: Date.now(), ...extra });
      if (res.status !== 200) throw new Error(`create run: ${res.status} ${res.text}`);
      return res.body.run.info.run_id as string;
    }
  };
}

/** Conveyor's own API as a user. */
export function conveyorClient(server: TestServer, user = 'alice') {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...secretHeaders(user), 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { call };
}

/** Expects MLflow's error shape with a code and no stack trace. */
export function expectMlflowError(res: { status: number; body: any; text: string }, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error_code }).toEqual({ status, code });
  expect(typeof res.body.message).toBe('string');
  expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
}
