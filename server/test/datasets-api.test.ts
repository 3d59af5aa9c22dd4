import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/env';
import { backends } from './models-helpers';
import { DatasetsEnv, md5, writeTree } from './datasets/helpers';

// The .dir DVC 3.67 writes for this tree (checked with `dvc add` on the same files).
const DVC_TREE = { 'a.txt': 'hello\n', 'sub/b': 'x', 'é ü.txt': 'hi\n' };
const DVC_DIR_ID = '989dc4bc3905fe9f88849107d7d937e9.dir';

describe.each(backends('datasets'))('datasets API on $name', backend => {
  const run = backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL ? test.skip : test;
  let env: DatasetsEnv;
  let ws: { path: string; cleanup(): void };
  let data: { path: string; cleanup(): void };

  beforeAll(async () => {
    if (backend.name === 'postgres' && !process.env.CONVEYOR_TEST_PG_URL) return;
    ws = tempDir('ds-ws');
    data = tempDir('ds-data');
    env = await DatasetsEnv.start({
      databaseUrl: await backend.url(),
      workspace: ws.path,
      dataDir: data.path
    });
  });
  afterAll(async () => {
    await env?.srv.close();
    await backend.cleanup();
    ws?.cleanup();
    data?.cleanup();
  });

  run('a folder becomes a version whose .dir is byte-identical to DVC’s; re-adding it records nothing new', async () => {
    writeTree(join(ws.path, 'raw'), DVC_TREE);
    const v1 = await env.add('alice', {
      name: 'raw',
      path: 'raw',
      message: 'first',
      tags: ['v1']
    });
    expect(v1).toMatchObject({
      dataset: 'alice/raw',
      kind: 'files',
      md5: DVC_DIR_ID,
      files: 3,
      bytes: 10,
      parents: [],
      tags: ['v1'],
      author: 'alice',
      message: 'first'
    });
    expect(v1.id).toMatch(/^[0-9a-f]{12}$/);
    const dir = readFileSync(env.objectPath(DVC_DIR_ID), 'utf8');
    expect(dir).toBe(
      '[{"md5": "b1946ac92492d2347c6235b4d2611184", "relpath": "a.txt"}, {"md5": "9dd4e461268c8034f5c8564e155c67a6", "relpath": "sub/b"}, {"md5": "764efa883dda1e11db47671c4a3bbd9e", "relpath": "\\u00e9 \\u00fc.txt"}]'
    );
    expect(readFileSync(env.objectPath(md5('hello\n')), 'utf8')).toBe('hello\n');
    const again = await env.api('alice', 'POST', '/datasets/versions', {
      name: 'raw',
      path: 'raw'
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(v1.id);
  });

  run('a changed folder becomes v2 with v1 as parent; manifest, download, diff and tags follow', async () => {
    writeTree(join(ws.path, 'raw'), {
      'a.txt': 'hello again\n',
      'new.csv': 'x,y\n1,2\n'
    });
    const detail0 = await env.api('alice', 'GET', '/datasets/alice/raw');
    const v1 = detail0.body.versions[0];
    const v2 = await env.add('alice', {
      name: 'raw',
      path: 'raw',
      message: 'second'
    });
    expect(v2.parents).toEqual([v1.id]);
    expect(v2.files).toBe(4);

    const files = await env.api('alice', 'GET', `/datasets/alice/raw/versions/${v2.id}/files?prefix=`);
    expect(files.body.files.map((f: any) => [f.path, f.size])).toEqual([
      ['a.txt', 12],
      ['new.csv', 8],
      ['sub/b', 1],
      ['é ü.txt', 3]
    ]);
    const byTag = await env.api('alice', 'GET', '/datasets/alice/raw/versions/v1/files/a.txt');
    expect(byTag.status).toBe(200);
    expect(byTag.text).toBe('hello\n');
    const unicode = await env.api('alice', 'GET', `/datasets/alice/raw/versions/${v2.id}/files/${encodeURIComponent('é ü.txt')}`);
    expect(unicode.text).toBe('hi\n');
    const sub = await env.api('alice', 'GET', `/datasets/alice/raw/versions/${v2.id}/files/sub/b`);
    expect(sub.text).toBe('x');

    const diff = await env.api('alice', 'GET', `/datasets/alice/raw/diff?from=v1&to=${v2.id}`);
    expect(diff.status).toBe(200);
    expect(diff.body.files.added.map((f: any) => f.path)).toEqual(['new.csv']);
    expect(diff.body.files.removed).toEqual([]);
    expect(diff.body.files.changed).toEqual([{ path: 'a.txt', from: md5('hello\n'), to: md5('hello again\n') }]);
    expect(diff.body.files.unchanged).toBe(2);

    expect(
      (
        await env.api('alice', 'PUT', '/datasets/alice/raw/tags/prod', {
          version: 'v1'
        })
      ).body.tags
    ).toEqual(['prod', 'v1']);
    expect(
      (
        await env.api('alice', 'PUT', '/datasets/alice/raw/tags/prod', {
          version: v2.id
        })
      ).body.tags
    ).toEqual(['prod']);
    const list = await env.api('alice', 'GET', '/datasets');
    expect(list.body.datasets).toEqual([
      expect.objectContaining({
        owner: 'alice',
        name: 'raw',
        versionCount: 2,
        tags: { prod: v2.id, v1: v1.id },
        latest: expect.objectContaining({ id: v2.id })
      })
    ]);
    expect((await env.api('alice', 'DELETE', '/datasets/alice/raw/tags/prod')).status).toBe(204);
    expect((await env.api('alice', 'GET', '/datasets/alice/raw/versions/prod')).status).toBe(404);
  });

  run('a single file is a version whose root is the file’s md5', async () => {
    writeFileSync(join(ws.path, 'labels.txt'), 'cat\ndog\n');
    const v = await env.add('alice', { name: 'labels', path: 'labels.txt' });
    expect(v).toMatchObject({ md5: md5('cat\ndog\n'), files: 1, bytes: 8 });
    const got = await env.api('alice', 'GET', `/datasets/alice/labels/versions/${v.id}/files/labels.txt`);
    expect(got.text).toBe('cat\ndog\n');
  });

  run('other users see nothing until it is shared; blinded versions never give out bytes', async () => {
    expect((await env.api('bob', 'GET', '/datasets/alice/raw')).status).toBe(404);
    expect((await env.api('bob', 'GET', '/datasets/alice/raw/versions/v1/files/a.txt')).status).toBe(404);
    expect((await env.dvc('bob', 'GET', md5('hello\n'))).status).toBe(404);
    expect(
      (
        await env.api('bob', 'PUT', '/datasets/alice/raw/tags/x', {
          version: 'v1'
        })
      ).status
    ).toBe(404);
    await env.api('alice', 'PUT', '/datasets/alice/raw/shares', {
      users: ['bob']
    });
    expect((await env.api('bob', 'GET', '/datasets/alice/raw/versions/v1/files/a.txt')).text).toBe('hello\n');
    expect((await env.dvc('bob', 'GET', md5('hello\n'))).bytes.toString()).toBe('hello\n');
    expect(
      (
        await env.api('bob', 'PUT', '/datasets/alice/raw/tags/x', {
          version: 'v1'
        })
      ).status
    ).toBe(403);

    writeTree(join(ws.path, 'test-set'), { 'secret.csv': 'label\n1\n0\n' });
    const blinded = await env.add('alice', {
      name: 'holdout',
      path: 'test-set',
      blinded: true
    });
    expect(blinded.blinded).toBe(true);
    for (const path of [`/versions/${blinded.id}/files`, `/versions/${blinded.id}/files/secret.csv`, `/diff?from=${blinded.id}&to=${blinded.id}`]) {
      const r = await env.api('alice', 'GET', `/datasets/alice/holdout${path}`);
      expect([r.status, r.body.error.code]).toEqual([403, 'dataset_blinded']);
    }
    expect((await env.api('alice', 'GET', `/datasets/alice/holdout/versions/${blinded.id}`)).body.blinded).toBe(true);
    expect((await env.dvc('alice', 'GET', blinded.md5)).status).toBe(404);
    expect((await env.dvc('alice', 'GET', md5('label\n1\n0\n'))).status).toBe(404);
  });

  run('bad names, paths and refs are clear 4xx answers', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: '../etc', path: 'raw' }, 400, 'invalid_request'],
      [{ name: 'ok', path: '../../etc' }, 400, 'path_outside_workspace'],
      [{ name: 'ok', path: '/etc/passwd' }, 400, 'path_outside_workspace'],
      [{ name: 'ok', path: 'missing-folder' }, 404, 'file_not_found'],
      [{ name: 'ok' }, 400, 'invalid_request'],
      [{ name: 'ok', md5: '0'.repeat(32) + '.dir' }, 404, 'object_missing']
    ];
    for (const [body, status, code] of cases) {
      const r = await env.api('alice', 'POST', '/datasets/versions', body);
      expect([JSON.stringify(body), r.status, r.body?.error?.code]).toEqual([JSON.stringify(body), status, code]);
    }
    const malformed = await fetch(`${env.srv.url}/datasets/versions`, {
      method: 'POST',
      headers: env.headers('alice', { 'Content-Type': 'application/json' }),
      body: '{"name":'
    });
    expect(malformed.status).toBe(400);
    const huge = await fetch(`${env.srv.url}/datasets/versions`, {
      method: 'POST',
      headers: env.headers('alice', { 'Content-Type': 'application/json' }),
      body: JSON.stringify({
        name: 'x',
        path: 'raw',
        message: 'm'.repeat(2_000_000)
      })
    });
    expect(huge.status).toBe(413);
    expect((await env.api('alice', 'GET', '/datasets/alice/raw/versions/nope')).status).toBe(404);
    expect((await env.api('alice', 'GET', '/datasets/alice/raw/versions/v1/files/..%2F..%2Fconveyor.db')).status).toBe(404);
    expect((await env.api('alice', 'GET', '/datasets/alice/raw/diff?from=v1')).status).toBe(400);
    expect(existsSync(join(env.storeDir, 'files', 'md5'))).toBe(true);
  });
});
