import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { tempDir } from '../helpers/env';
import { json } from '../helpers/server';
import { pipeline, runsEnv, TEST_IMAGE, type RunsEnv } from '../runs/helpers';
import { addVersion, removeVolumes } from './runsHelpers';

/**
 * dataset:// step inputs on the real server, the real engine and real SQLite: resolved at
 * submit, mounted read-only from a per-version volume, part of the cache key, recorded as lineage.
 */
describe('datasets as step inputs', () => {
  let env: RunsEnv;
  let dataDir: string;
  let v1: string;
  const docker = new Docker();
  const md5Of = (text: string): string => createHash('md5').update(text).digest('hex');

  // Lists the mounted input, reads a file and tries to write into the mount.
  const READER = [
    'python3',
    '-c',
    [
      'import os',
      "root = 'inputs/data'",
      'files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)',
      "text = open(os.path.join(root, 'a.csv')).read()",
      'try:',
      "    open(os.path.join(root, 'new.txt'), 'w').write('x'); wrote = 'yes'",
      'except OSError as e:',
      "    wrote = 'refused'",
      "open('out.txt', 'w').write(repr((files, text, wrote)))"
    ].join('\n')
  ];

  const data = tempDir('dsruns');
  beforeAll(async () => {
    dataDir = data.path;
    env = await runsEnv({
      dataDir,
      databaseUrl: `sqlite:${dataDir}/conveyor.db`
    });
    for (const [name, admin] of [
      ['alice', false],
      ['bob', false]
    ] as const)
      await env.t.store.users.create(name, admin);
  });
  afterAll(async () => {
    if (env) await removeVolumes(env.t.store);
    await env?.close();
    data.cleanup();
  });

  it('mounts a version read-only at inputs/<name> and records the version in the step', async () => {
    v1 = await addVersion(env.t.store, dataDir, {
      owner: 'alice',
      name: 'iris',
      files: { 'a.csv': 'x,y\n1,2\n', 'sub/b.txt': 'bee' },
      tags: ['prod']
    });
    const run = await env.submit(
      {
        pipeline: pipeline('read', [
          {
            name: 'read',
            image: TEST_IMAGE,
            command: READER,
            inputs: { data: 'dataset://iris@prod' },
            outputs: ['out.txt']
          }
        ])
      },
      'alice'
    );
    const done = await env.wait(run.id, undefined, 90_000, 'alice');
    expect(done.steps[0].error).toBeNull();
    expect(done.status).toBe('succeeded');
    const out = await (await env.get(`/runs/${run.id}/steps/read/outputs/out.txt`, 'alice')).text();
    expect(out).toBe(`(['a.csv', 'sub/b.txt'], 'x,y\\n1,2\\n', 'refused')`);
    // The volume exists, is labelled and holds the version.
    const vols =
      (
        await docker.listVolumes({
          filters: { label: [`io.conveyor.dataset-version=${v1}`] }
        })
      ).Volumes ?? [];
    expect(vols).toHaveLength(1);
    // Lineage on both sides.
    const lineage = await json(await env.get(`/datasets/alice/iris/versions/prod/lineage`, 'alice'));
    expect(lineage).toMatchObject({
      dataset: 'alice/iris',
      version: v1,
      blinded: false,
      readBy: [{ runId: run.id, step: 'read', input: 'data' }],
      producedBy: []
    });
    const side = await json(await env.get(`/runs/${run.id}/datasets`, 'alice'));
    expect(side.inputs).toEqual([{ dataset: 'alice/iris', version: v1, step: 'read', name: 'data' }]);
  });

  it('reuses a cached step for the same version and runs again when the tag moves', async () => {
    const body = {
      pipeline: pipeline('read', [
        {
          name: 'read',
          image: TEST_IMAGE,
          command: READER,
          inputs: { data: 'dataset://alice/iris@prod' },
          outputs: ['out.txt']
        }
      ])
    };
    const again = await env.wait((await env.submit(body, 'alice')).id, undefined, 90_000, 'alice');
    expect(again.steps[0].cachedFrom).toBeTruthy();
    await addVersion(env.t.store, dataDir, {
      owner: 'alice',
      name: 'iris',
      files: { 'a.csv': 'x,y\n3,4\n' },
      tags: ['prod']
    });
    const moved = await env.wait((await env.submit(body, 'alice')).id, undefined, 90_000, 'alice');
    expect(moved.status).toBe('succeeded');
    expect(moved.steps[0].cachedFrom).toBeNull();
    const out = await (await env.get(`/runs/${moved.id}/steps/read/outputs/out.txt`, 'alice')).text();
    expect(out).toBe(`(['a.csv'], 'x,y\\n3,4\\n', 'refused')`);
    // By id, the old version still reads the same.
    const pinned = await env.wait(
      (
        await env.submit(
          {
            pipeline: pipeline('read', [
              {
                name: 'read',
                image: TEST_IMAGE,
                command: READER,
                inputs: { data: `dataset://iris@${v1}` },
                outputs: ['out.txt']
              }
            ])
          },
          'alice'
        )
      ).id,
      undefined,
      90_000,
      'alice'
    );
    expect(pinned.steps[0].cachedFrom).toBeTruthy();
  });

  it.each([
    ['an unknown dataset', 'dataset://nope@prod', 'alice', 404, 'dataset_not_found'],
    ['an unknown tag', 'dataset://iris@nope', 'alice', 404, 'version_not_found'],
    ['an unknown version id', 'dataset://iris@0123456789ab', 'alice', 404, 'version_not_found'],
    ['no version', 'dataset://iris', 'alice', 400, 'invalid_pipeline'],
    ['a path in the name', 'dataset://a/b/c@prod', 'alice', 400, 'invalid_dataset_ref'],
    ['a dataset not shared with the caller', 'dataset://alice/iris@prod', 'bob', 404, 'dataset_not_found'],
    ['an owner with capitals that does not exist', 'dataset://Carol/Iris@prod', 'alice', 404, 'dataset_not_found']
  ])('refuses %s with a clear error and creates no run', async (_what, ref, user, status, code) => {
    const before = (await json(await env.get('/runs', user))).runs.length;
    const res = await env.post(
      '/runs',
      {
        pipeline: pipeline('bad', [
          {
            name: 's',
            image: TEST_IMAGE,
            command: ['true'],
            inputs: { data: ref }
          }
        ])
      },
      user
    );
    const body = await json(res);
    expect(res.status).toBe(status);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/input "data"|inputs\/data/);
    expect((await json(await env.get('/runs', user))).runs.length).toBe(before);
  });

  it("lets a user the dataset is shared with mount it, and hides others' runs in the lineage", async () => {
    await addVersion(env.t.store, dataDir, {
      owner: 'alice',
      name: 'shared',
      files: { 'a.csv': 'shared\n' },
      tags: ['v1'],
      shareWith: ['bob']
    });
    const run = await env.submit(
      {
        pipeline: pipeline('read', [
          {
            name: 'read',
            image: TEST_IMAGE,
            command: READER,
            inputs: { data: 'dataset://alice/shared@v1' },
            outputs: ['out.txt']
          }
        ])
      },
      'bob'
    );
    expect((await env.wait(run.id, undefined, 90_000, 'bob')).status).toBe('succeeded');
    const mine = await json(await env.get('/datasets/alice/shared/versions/v1/lineage', 'bob'));
    expect(mine.readBy.map((e: { runId: string }) => e.runId)).toEqual([run.id]);
    const owners = await json(await env.get('/datasets/alice/shared/versions/v1/lineage', 'alice'));
    expect(owners).toMatchObject({ readBy: [], hiddenRuns: 1 });
  });

  it('publishes a step output as a version (produced-by lineage) that a later step mounts', async () => {
    const WRITER = [
      'python3',
      '-c',
      "import os; os.makedirs('model/sub'); open('model/w.txt','w').write('weights'); open('model/sub/c.json','w').write('{}'); open('score.txt','w').write('0.9')"
    ];
    const run = await env.submit(
      {
        pipeline: pipeline('train', [
          {
            name: 'train',
            image: TEST_IMAGE,
            command: WRITER,
            outputs: ['model', 'score.txt']
          }
        ])
      },
      'alice'
    );
    expect((await env.wait(run.id, undefined, 90_000, 'alice')).status).toBe('succeeded');
    const folder = await env.post(
      '/datasets/versions/from-run',
      {
        name: 'models',
        runId: run.id,
        step: 'train',
        output: 'model',
        tags: ['latest']
      },
      'alice'
    );
    expect(folder.status).toBe(201);
    const version = await json(folder);
    expect(version).toMatchObject({
      dataset: 'alice/models',
      files: 2,
      bytes: 9,
      tags: ['latest'],
      blinded: false
    });
    const file = await json(await env.post('/datasets/versions/from-run', { name: 'scores', runId: run.id, step: 'train', output: 'score.txt' }, 'alice'));
    expect(file).toMatchObject({ dataset: 'alice/scores', files: 1, bytes: 3 });
    const lineage = await json(await env.get(`/datasets/alice/models/versions/${version.id}/lineage`, 'alice'));
    expect(lineage.producedBy).toEqual([
      expect.objectContaining({
        runId: run.id,
        step: 'train',
        output: 'model'
      })
    ]);
    expect((await json(await env.get(`/runs/${run.id}/datasets`, 'alice'))).outputs).toEqual([
      {
        dataset: 'alice/models',
        version: version.id,
        step: 'train',
        name: 'model'
      },
      {
        dataset: 'alice/scores',
        version: file.id,
        step: 'train',
        name: 'score.txt'
      }
    ]);
    const LIST = [
      'python3',
      '-c',
      "import os; open('out.txt','w').write(repr(sorted(os.path.join(d, f) for d, _, fs in os.walk('inputs') for f in fs)) + open('inputs/m/w.txt').read() + open('inputs/s/score.txt').read())"
    ];
    const reader = await env.submit(
      {
        pipeline: pipeline('use', [
          {
            name: 'use',
            image: TEST_IMAGE,
            command: LIST,
            inputs: {
              m: 'dataset://models@latest',
              s: `dataset://scores@${file.id}`
            },
            outputs: ['out.txt']
          }
        ])
      },
      'alice'
    );
    expect((await env.wait(reader.id, undefined, 90_000, 'alice')).status).toBe('succeeded');
    expect(await (await env.get(`/runs/${reader.id}/steps/use/outputs/out.txt`, 'alice')).text()).toBe(
      "['inputs/m/sub/c.json', 'inputs/m/w.txt', 'inputs/s/score.txt']weights0.9"
    );
  });

  it.each([
    ["another user's run", 'bob', { name: 'x', step: 'train', output: 'model' }, 404],
    ['an unknown output', 'alice', { name: 'x', step: 'train', output: 'nope' }, 404],
    ['an unknown step', 'alice', { name: 'x', step: 'nope', output: 'model' }, 404],
    ['a bad name', 'alice', { name: '../x', step: 'train', output: 'model' }, 400],
    ['an unknown field', 'alice', { name: 'x', step: 'train', output: 'model', path: '/etc' }, 400]
  ])('refuses to publish %s', async (_what, user, body, status) => {
    const runs = (await json(await env.get('/runs?q=train', 'alice'))).runs;
    const res = await env.post('/datasets/versions/from-run', { runId: runs[0].id, ...body }, user);
    expect(res.status).toBe(status);
    expect((await json(res)).error.code).toBeTruthy();
  });

  it('refuses a corrupt object when filling the volume, keeps no partial volume, and fills it once repaired', async () => {
    const id = await addVersion(env.t.store, dataDir, {
      owner: 'alice',
      name: 'fragile',
      files: { 'a.csv': 'good,data\n' },
      tags: ['v1']
    });
    const object = join(dataDir, 'datasets', 'store', 'files', 'md5', md5Of('good,data\n').slice(0, 2), md5Of('good,data\n').slice(2));
    writeFileSync(object, 'evil,data\n');
    const body = {
      pipeline: pipeline('read', [
        {
          name: 'read',
          image: TEST_IMAGE,
          command: READER,
          inputs: { data: 'dataset://fragile@v1' },
          outputs: ['out.txt']
        }
      ]),
      cache: false
    };
    const failed = await env.wait((await env.submit(body, 'alice')).id, undefined, 90_000, 'alice');
    expect(failed.status).toBe('failed');
    expect(failed.steps[0].error.message).toContain('does not match its hash');
    expect(
      (
        await docker.listVolumes({
          filters: { label: [`io.conveyor.dataset-version=${id}`] }
        })
      ).Volumes ?? []
    ).toEqual([]);
    writeFileSync(object, 'good,data\n');
    const ok = await env.wait((await env.submit(body, 'alice')).id, undefined, 90_000, 'alice');
    expect(ok.status).toBe('succeeded');
    expect(await (await env.get(`/runs/${ok.id}/steps/read/outputs/out.txt`, 'alice')).text()).toBe(`(['a.csv'], 'good,data\\n', 'refused')`);
  });

  it('mounts a table version as data.csv and data.parquet', async () => {
    env.write('tables/prices.csv', 'id,price\n1,9.5\n2,3.25\n');
    const added = await env.post('/datasets/versions', { name: 'prices', path: 'tables/prices.csv', table: { key: ['id'] }, tags: ['v1'] }, 'alice');
    expect(added.status).toBe(201);
    const TABLE = [
      'python3',
      '-c',
      "import os; open('out.txt','w').write(open('inputs/t/data.csv').read() + str(sorted(os.listdir('inputs/t'))) + str(os.path.getsize('inputs/t/data.parquet') > 0))"
    ];
    const run = await env.submit(
      { pipeline: pipeline('table', [{ name: 'read', image: TEST_IMAGE, command: TABLE, inputs: { t: 'dataset://prices@v1' }, outputs: ['out.txt'] }]) },
      'alice'
    );
    const done = await env.wait(run.id, undefined, 90_000, 'alice');
    expect(done.steps[0].error).toBeNull();
    expect(await (await env.get(`/runs/${run.id}/steps/read/outputs/out.txt`, 'alice')).text()).toBe(
      "id,price\n1,9.5\n2,3.25\n['data.csv', 'data.parquet']True"
    );
  });
});
