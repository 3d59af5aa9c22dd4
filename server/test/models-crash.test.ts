import type { ChildProcess } from 'node:child_process';
import { buildBundle, serveBundle } from './helpers/bundleServer';
import { tempDir } from './helpers/env';
import { backends, RegistryEnv } from './models-helpers';

const T = 120_000;
const SECRET = 'models-crash-secret-0123456789';

beforeAll(() => buildBundle(), T);

/** The real bundle as a child process, so the test can kill -9 it. */
async function serve(dataDir: string, databaseUrl: string): Promise<{ env: RegistryEnv; child: ChildProcess }> {
  const { child, url } = await serveBundle({ CONVEYOR_SECRET: SECRET, CONVEYOR_DATA_DIR: dataDir, CONVEYOR_DATABASE_URL: databaseUrl });
  const origin = new URL(url).origin;
  const env = new RegistryEnv(
    origin,
    () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    SECRET
  );
  return { env, child };
}

describe.each(backends('crash'))('the registry after kill -9 of the server on $name', backend => {
  const run = backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL ? test.skip : test;
  run(
    'registered models, versions, aliases and tags are all there and numbering continues',
    async () => {
      const databaseUrl = (await backend.url())!;
      const data = tempDir('models-crash');
      try {
        const first = await serve(data.path, databaseUrl);
        const { runId } = await first.env.trackedRun('alice', 'crash-exp', { f1: 0.7 });
        await first.env.ok('alice', 'POST', 'registered-models/create', { name: 'survivor', tags: [{ key: 'team', value: 'ml' }] });
        for (let i = 0; i < 2; i++) await first.env.ok('alice', 'POST', 'model-versions/create', { name: 'survivor', source: `runs:/${runId}/model` });
        await first.env.ok('alice', 'POST', 'registered-models/alias', { name: 'survivor', alias: 'champion', version: '2' });
        await first.env.ok('alice', 'POST', 'model-versions/set-tag', { name: 'survivor', version: '1', key: 'checked', value: 'no' });
        const gone = new Promise(resolve => first.child.once('exit', resolve));
        first.child.kill('SIGKILL');
        await gone;

        const second = await serve(data.path, databaseUrl);
        try {
          const model = (await second.env.ok('alice', 'GET', 'registered-models/get', { name: 'survivor' })).registered_model;
          expect(model).toMatchObject({ tags: [{ key: 'team', value: 'ml' }], aliases: [{ alias: 'champion', version: '2' }] });
          const v1 = (await second.env.ok('alice', 'GET', 'model-versions/get', { name: 'survivor', version: '1' })).model_version;
          expect(v1).toMatchObject({ run_id: runId, tags: [{ key: 'checked', value: 'no' }] });
          const v3 = (await second.env.ok('alice', 'POST', 'model-versions/create', { name: 'survivor', source: `runs:/${runId}/model` })).model_version;
          expect(v3.version).toBe('3');
          const detail = await second.env.apiJson('alice', '/models/survivor');
          expect(detail.versions.map((v: any) => [v.version, v.aliases, v.metrics.f1])).toEqual([
            [3, [], 0.7],
            [2, ['champion'], 0.7],
            [1, [], 0.7]
          ]);
        } finally {
          await second.env.close();
        }
      } finally {
        data.cleanup();
        await backend.cleanup();
      }
    },
    T
  );
});
