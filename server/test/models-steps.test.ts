import type { AddressInfo } from 'node:net';
import express from 'express';
import { setIdentity } from '../src/auth/identity';
import { silentLogger } from '../src/core/logger';
import { createModelsModule } from '../src/models';
import { Store } from '../src/store/store';
import { setStepScope, TrackingService } from '../src/tracking';
import { backends } from './models-helpers';

const T = 60_000;

/**
 * A step token's requests reach the registry as its owner, scoped to the step's run (the
 * step-facing listener sets both): it may register versions of that run only.
 */
describe.each(backends('steps'))('registering from a step on $name', backend => {
  const run = backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL ? test.skip : test;
  run(
    "a step-scoped caller registers its own run, not another of its owner's runs",
    async () => {
      const store = await Store.open((await backend.url())!);
      const tracking = new TrackingService(store);
      const app = express();
      app.use((req, _res, next) => {
        setIdentity(req, { user: { name: 'alice', admin: false, created_at: '' } as never, via: 'token' });
        if (req.headers['x-step-run']) setStepScope(req, String(req.headers['x-step-run']));
        next();
      });
      app.use(createModelsModule({ db: store.db, tracking, logger: silentLogger() }).mlflowRouter);
      const server = app.listen(0, '127.0.0.1');
      await new Promise(resolve => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/2.0/mlflow`;
      const post = async (path: string, body: object, stepRun?: string) => {
        const res = await fetch(`${base}/${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(stepRun ? { 'x-step-run': stepRun } : {}) },
          body: JSON.stringify(body)
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      try {
        const experimentId = await tracking.ensureExperiment('alice', 'pipeline');
        const own = await tracking.createRun({ owner: 'alice', experimentId, name: 'train' });
        const other = await tracking.createRun({ owner: 'alice', experimentId, name: 'other' });
        expect((await post('registered-models/create', { name: 'from-step' }, own.runUuid)).status).toBe(200);
        const ok = await post('model-versions/create', { name: 'from-step', source: `runs:/${own.runUuid}/model` }, own.runUuid);
        expect(ok).toMatchObject({ status: 200, body: { model_version: { version: '1', run_id: own.runUuid } } });
        const denied = await post('model-versions/create', { name: 'from-step', source: `runs:/${other.runUuid}/model` }, own.runUuid);
        expect(denied).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
        // The owner outside a step may.
        const owner = await post('model-versions/create', { name: 'from-step', source: `runs:/${other.runUuid}/model` });
        expect(owner).toMatchObject({ status: 200, body: { model_version: { version: '2', run_id: other.runUuid } } });
      } finally {
        await new Promise(resolve => server.close(resolve));
        await tracking.close();
        await store.close();
        await backend.cleanup();
      }
    },
    T
  );
});
