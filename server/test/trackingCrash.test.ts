import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { buildBundle, serveBundle } from './helpers/bundleServer';
import { tempDir } from './helpers/env';
import { BACKENDS } from './trackingHelpers';

const T = 120_000;
const SECRET = 'tracking-crash-secret-0123456789';
const headers = { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': 'alice', 'Content-Type': 'application/json' };

beforeAll(() => buildBundle(), T);

async function serve(dataDir: string, databaseUrl: string): Promise<{ child: ChildProcess; mlflow: string }> {
  const { child, url } = await serveBundle({ CONVEYOR_SECRET: SECRET, CONVEYOR_DATA_DIR: dataDir, CONVEYOR_DATABASE_URL: databaseUrl });
  return { child, mlflow: `${new URL(url).origin}/conveyor/mlflow/api/2.0/mlflow` };
}

async function kill9(child: ChildProcess): Promise<void> {
  const gone = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const url = method === 'GET' ? `${base}/${path}?${new URLSearchParams(body as Record<string, string>)}` : `${base}/${path}`;
  const res = await fetch(url, { method, headers, ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe.each(BACKENDS.filter(b => b.name === 'sqlite' || b.url))('tracking after kill -9 of the server on $name', backend => {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  const data = tempDir('tracking-crash');

  beforeAll(async () => {
    if (backend.name === 'sqlite') {
      databaseUrl = `sqlite:${data.path}/conveyor.db`;
      cleanup = async () => undefined;
      return;
    }
    const schema = `trk_crash_${randomBytes(4).toString('hex')}`;
    const admin = new Pool({ connectionString: backend.url, max: 1 });
    await admin.query(`create schema ${schema}`);
    const url = new URL(backend.url!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
    cleanup = async () => {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    };
  });
  afterAll(async () => {
    await cleanup?.();
    data.cleanup();
  });

  test(
    'answered writes survive, and each batch in flight is all there or not at all',
    async () => {
      const first = await serve(data.path, databaseUrl);
      const exp = (await call(first.mlflow, 'POST', 'experiments/create', { name: 'crash' })).body.experiment_id;
      const run = (await call(first.mlflow, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id;
      expect((await call(first.mlflow, 'POST', 'runs/log-batch', { run_id: run, params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 1 }] })).status).toBe(200);
      // Batches in flight when the server dies.
      const inflight = Array.from({ length: 20 }, (_, b) =>
        call(first.mlflow, 'POST', 'runs/log-batch', {
          run_id: run,
          metrics: Array.from({ length: 100 }, (_, i) => ({ key: `b${b}`, value: i, timestamp: 1, step: i }))
        }).catch(() => undefined)
      );
      await new Promise(resolve => setTimeout(resolve, 20));
      await kill9(first.child);
      await Promise.all(inflight);

      const second = await serve(data.path, databaseUrl);
      try {
        const got = (await call(second.mlflow, 'GET', 'runs/get', { run_id: run })).body.run;
        expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
        expect(got.data.metrics.find((m: any) => m.key === 'loss')).toMatchObject({ value: 0.5, step: 1 });
        for (let b = 0; b < 20; b++) {
          const history = (await call(second.mlflow, 'GET', 'metrics/get-history', { run_id: run, metric_key: `b${b}` })).body.metrics;
          expect([0, 100]).toContain(history.length);
          const latest = got.data.metrics.find((m: any) => m.key === `b${b}`);
          expect(latest ? [latest.step, history.length] : [null, history.length]).toEqual(history.length ? [99, 100] : [null, 0]);
        }
        expect((await call(second.mlflow, 'POST', 'runs/log-parameter', { run_id: run, key: 'lr', value: '0.2' })).status).toBe(400);
        expect((await call(second.mlflow, 'POST', 'runs/log-metric', { run_id: run, key: 'loss', value: 0.25, timestamp: 2, step: 2 })).status).toBe(200);
        const found = await call(second.mlflow, 'POST', 'runs/search', { experiment_ids: [exp], filter: 'metrics.loss < 0.3' });
        expect(found.body.runs.map((r: any) => r.info.run_id)).toEqual([run]);
        expect((await call(second.mlflow, 'POST', 'experiments/create', { name: 'after' })).body.experiment_id).not.toBe(exp);
      } finally {
        await kill9(second.child);
      }
    },
    T
  );
});
