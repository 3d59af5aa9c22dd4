import type { AddressInfo } from 'node:net';
import express from 'express';
import { ArtifactStore } from '../src/artifacts/store';
import { setIdentity } from '../src/auth/identity';
import { silentLogger } from '../src/core/logger';
import { Store } from '../src/store/store';
import { setStepScope, TrackingService } from '../src/tracking';
import { createMlflowRouter } from '../src/tracking/mlflow/router';
import { tempDir } from './helpers/env';
import { backends } from './models-helpers';

const T = 60_000;

/**
 * A step token's requests reach the MLflow API as its owner, scoped to the step's run: it logs
 * models of that run only, and cannot touch the owner's other models or their files.
 */
describe.each(backends('logged_steps'))('logging models from a step on $name', backend => {
  const run = backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL ? test.skip : test;
  run(
    "a step-scoped caller logs, finalizes and uploads models of its own run, not of its owner's other runs",
    async () => {
      const store = await Store.open((await backend.url())!);
      const data = tempDir('logged-steps');
      const tracking = new TrackingService(store);
      const app = express();
      app.use((req, _res, next) => {
        setIdentity(req, { user: { name: 'alice', admin: false, created_at: '' } as never, via: 'token' });
        if (req.headers['x-step-run']) setStepScope(req, String(req.headers['x-step-run']));
        next();
      });
      app.use(createMlflowRouter({ tracking, artifacts: new ArtifactStore({ dataDir: data.path }), logger: silentLogger() }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise(resolve => server.once('listening', resolve));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const call = async (method: string, path: string, body: object, stepRun?: string) => {
        const res = await fetch(`${origin}/api/2.0/mlflow/${path}`, {
          method,
          headers: { 'Content-Type': 'application/json', ...(stepRun ? { 'x-step-run': stepRun } : {}) },
          body: JSON.stringify(body)
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const put = async (path: string, stepRun: string) =>
        (await fetch(`${origin}/api/2.0/mlflow-artifacts/artifacts/${path}`, { method: 'PUT', headers: { 'x-step-run': stepRun }, body: 'bytes' })).status;
      try {
        const experimentId = await tracking.ensureExperiment('alice', 'pipeline');
        const own = await tracking.createRun({ owner: 'alice', experimentId, name: 'train' });
        const other = await tracking.createRun({ owner: 'alice', experimentId, name: 'other' });

        const created = await call('POST', 'logged-models', { experiment_id: experimentId, name: 'model', source_run_id: own.runUuid }, own.runUuid);
        expect(created).toMatchObject({ status: 200, body: { model: { info: { source_run_id: own.runUuid } } } });
        const id = created.body.model.info.model_id as string;
        expect(await put(`${experimentId}/models/${id}/artifacts/MLmodel`, own.runUuid)).toBe(200);
        expect(await call('POST', 'runs/outputs', { run_id: own.runUuid, models: [{ model_id: id, step: 0 }] }, own.runUuid)).toMatchObject({ status: 200 });
        expect(await call('PATCH', `logged-models/${id}`, { status: 'LOGGED_MODEL_READY' }, own.runUuid)).toMatchObject({ status: 200 });

        const denied = { status: 403, body: { error_code: 'PERMISSION_DENIED' } };
        expect(await call('POST', 'logged-models', { experiment_id: experimentId, source_run_id: other.runUuid }, own.runUuid)).toMatchObject(denied);
        expect(await call('POST', 'logged-models', { experiment_id: experimentId, name: 'runless' }, own.runUuid)).toMatchObject(denied);
        // The owner's model of another run: the step cannot write it or its files.
        const theirs = (await call('POST', 'logged-models', { experiment_id: experimentId, source_run_id: other.runUuid })).body.model.info.model_id;
        expect(await call('PATCH', `logged-models/${theirs}`, { status: 'LOGGED_MODEL_READY' }, own.runUuid)).toMatchObject(denied);
        expect(await put(`${experimentId}/models/${theirs}/artifacts/MLmodel`, own.runUuid)).toBe(403);
        expect(await call('POST', 'runs/outputs', { run_id: other.runUuid, models: [{ model_id: theirs }] }, own.runUuid)).toMatchObject(denied);
        const untouched = (await (await fetch(`${origin}/api/2.0/mlflow/logged-models/${theirs}`)).json()) as any;
        expect(untouched.model.info.status).toBe('LOGGED_MODEL_PENDING');
      } finally {
        await new Promise(resolve => server.close(resolve));
        await tracking.close();
        await store.close();
        data.cleanup();
        await backend.cleanup();
      }
    },
    T
  );
});
