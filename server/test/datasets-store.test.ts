import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle, serveBundle } from './helpers/bundleServer';
import { tempDir } from './helpers/env';
import { DatasetsEnv, md5, writeTree } from './datasets/helpers';

/** Every object file under files/md5, with whether its bytes hash to its name. */
function objectsIn(storeDir: string): { id: string; ok: boolean }[] {
  const root = join(storeDir, 'files', 'md5');
  const out: { id: string; ok: boolean }[] = [];
  for (const a of readdirSync(root)) {
    for (const b of readdirSync(join(root, a))) {
      out.push({ id: a + b, ok: md5(readFileSync(join(root, a, b))) === (a + b).slice(0, 32) });
    }
  }
  return out;
}

describe('the dataset store under bad input and failures', () => {
  let env: DatasetsEnv;
  const ws = tempDir('dss-ws');
  const data = tempDir('dss-data');
  beforeAll(async () => {
    env = await DatasetsEnv.start({ workspace: ws.path, dataDir: data.path });
  });
  afterAll(async () => {
    await env.srv.close();
    ws.cleanup();
    data.cleanup();
  });

  test('a corrupt object is refused by name, never served, and healed by adding again', async () => {
    writeTree(join(ws.path, 'c'), { 'good.txt': 'good bytes\n', 'other.txt': 'other\n' });
    const v = await env.add('alice', { name: 'c', path: 'c' });
    const id = md5('good bytes\n');
    writeFileSync(env.objectPath(id), 'evil bytes\n');
    const r = await env.api('alice', 'GET', `/datasets/alice/c/versions/${v.id}/files/good.txt`);
    expect([r.status, r.body.error.code, r.body.error.details.object]).toEqual([409, 'object_corrupt', id]);
    expect(r.text).not.toContain('evil');
    expect((await env.dvc('alice', 'GET', id)).status).toBe(404);
    // Set aside: the next add stores it again (the hash cache alone is not trusted).
    const again = await env.add('alice', { name: 'c', path: 'c' });
    expect(again.id).toBe(v.id);
    expect((await env.api('alice', 'GET', `/datasets/alice/c/versions/${v.id}/files/good.txt`)).text).toBe('good bytes\n');
  });

  test('a manifest pushed with ../ relpaths, or a body whose md5 is not its name, is refused', async () => {
    const file = Buffer.from('payload');
    expect((await env.dvc('alice', 'PUT', md5(file), file)).status).toBe(201);
    const evil = Buffer.from(`[{"md5": "${md5(file)}", "relpath": "../../outside"}]`);
    const evilId = `${md5(evil)}.dir`;
    expect((await env.dvc('alice', 'POST', evilId, evil)).status).toBe(201);
    const r = await env.api('alice', 'POST', '/datasets/versions', { name: 'evil', md5: evilId });
    expect([r.status, r.body.error.code]).toEqual([400, 'invalid_dataset_path']);
    expect((await env.api('alice', 'GET', '/datasets/alice/evil')).status).toBe(404);

    const lie = await env.dvc('alice', 'PUT', md5('something else'), Buffer.from('not that'));
    expect([lie.status, lie.body.error.code]).toEqual([400, 'digest_mismatch']);
    expect(objectsIn(env.storeDir).map(o => o.id)).not.toContain(md5('something else'));
    expect((await env.dvc('alice', 'PUT', 'zz/../../x', file)).status).toBe(404);
    expect((await env.dvc('alice', 'GET', 'not-an-object-id-at-all-0000000000')).status).toBe(400);
  });

  test('a tree pushed over DVC becomes a version; objects of unreadable datasets cannot be claimed by md5', async () => {
    const a = Buffer.from('alpha');
    const dir = Buffer.from(`[{"md5": "${md5(a)}", "relpath": "a"}]`);
    const dirId = `${md5(dir)}.dir`;
    await env.dvc('bob', 'PUT', md5(a), a);
    await env.dvc('bob', 'PUT', dirId, dir);
    const v = await env.add('bob', { name: 'pushed', md5: dirId, message: 'from dvc' });
    expect(v).toMatchObject({ md5: dirId, files: 1, bytes: 5, sourcePath: null });
    expect((await env.dvc('bob', 'GET', dirId)).bytes.equals(dir)).toBe(true);
    // carol never held these bytes: registering bob's tree by its md5 is refused.
    const r = await env.api('carol', 'POST', '/datasets/versions', { name: 'stolen', md5: dirId });
    expect([r.status, r.body.error.code]).toEqual([403, 'objects_not_readable']);
  });

  test('blinding a version after the fact (any module, straight in the database) hides its objects from the DVC remote at once', async () => {
    writeTree(join(ws.path, 'later'), { 'answers.csv': 'id,y\n1,0\n' });
    const v = await env.add('alice', { name: 'later', path: 'later' });
    expect((await env.dvc('alice', 'GET', md5('id,y\n1,0\n'))).status).toBe(200);
    await env.srv.store.db.updateTable('dataset_versions').set({ blinded: 1 }).where('id', '=', v.id).execute();
    expect((await env.dvc('alice', 'GET', md5('id,y\n1,0\n'))).status).toBe(404);
    expect((await env.dvc('alice', 'HEAD', v.md5)).status).toBe(404);
  });

  test('concurrent adds to one dataset both land, one after the other', async () => {
    writeTree(join(ws.path, 'p1'), { 'f.txt': 'one\n' });
    writeTree(join(ws.path, 'p2'), { 'f.txt': 'two\n' });
    const [x, y] = await Promise.all([env.add('alice', { name: 'conc', path: 'p1' }), env.add('alice', { name: 'conc', path: 'p2' })]);
    const detail = await env.api('alice', 'GET', '/datasets/alice/conc');
    expect(detail.body.versions).toHaveLength(2);
    const [newest, oldest] = detail.body.versions;
    expect(new Set([x.id, y.id])).toEqual(new Set([newest.id, oldest.id]));
    expect(newest.parents).toEqual([oldest.id]);
    expect(oldest.parents).toEqual([]);
  });

  test('an add streams NDJSON progress lines and then the version', async () => {
    writeTree(join(ws.path, 'stream'), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.bin`, Buffer.alloc(1000, i)])));
    const res = await fetch(`${env.srv.url}/datasets/versions`, {
      method: 'POST',
      headers: env.headers('alice', { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }),
      body: JSON.stringify({ name: 'stream', path: 'stream' })
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'progress', totalFiles: 20, totalBytes: 20000 });
    expect(lines.at(-1)).toMatchObject({ type: 'done', version: { files: 20, bytes: 20000 } });
  });
});

describe('a full disk', () => {
  test('ENOSPC answers 507 storage_full and leaves no object or temp file behind', async () => {
    const ws = tempDir('dsfull-ws');
    const data = tempDir('dsfull-data');
    const store = join(data.path, 'datasets', 'store');
    mkdirSync(store, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', store]);
    const env = await DatasetsEnv.start({ workspace: ws.path, dataDir: data.path });
    try {
      writeTree(join(ws.path, 'big'), { 'big.bin': Buffer.alloc(3 * 1024 * 1024, 7), 'small.txt': 'fits\n' });
      const r = await env.api('alice', 'POST', '/datasets/versions', { name: 'big', path: 'big' });
      expect([r.status, r.body.error.code]).toEqual([507, 'storage_full']);
      expect(objectsIn(env.storeDir).every(o => o.ok)).toBe(true);
      expect(objectsIn(env.storeDir).map(o => o.id)).not.toContain(md5(Buffer.alloc(3 * 1024 * 1024, 7)));
      expect(readdirSync(join(env.storeDir, 'tmp'))).toEqual([]);
      expect((await env.api('alice', 'GET', '/datasets/alice/big')).status).toBe(404);
      writeTree(join(ws.path, 'fits'), { 'small.txt': 'fits\n' });
      expect((await env.add('alice', { name: 'big', path: 'fits' })).files).toBe(1);
    } finally {
      await env.srv.close();
      execFileSync('umount', [store]);
      ws.cleanup();
      data.cleanup();
    }
  });
});

describe('kill -9 in the middle of an add', () => {
  beforeAll(() => buildBundle(), 60_000);
  test('leaves no version, no temp file and only complete objects; the add then succeeds', async () => {
    const ws = tempDir('dskill-ws');
    const data = tempDir('dskill-data');
    const env = { CONVEYOR_SECRET: 'kill-secret-0123456789', CONVEYOR_DATA_DIR: data.path, CONVEYOR_WORKSPACE_DIR: ws.path };
    const headers = { 'X-Conveyor-Secret': env.CONVEYOR_SECRET, 'X-Conveyor-User': 'alice', 'Content-Type': 'application/json' };
    try {
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 1500; i++) files[`part-${i}.bin`] = Buffer.alloc(64 * 1024, i % 251);
      writeTree(join(ws.path, 'big'), files);
      const first = await serveBundle(env);
      const res = await fetch(`${first.url}/datasets/versions`, {
        method: 'POST',
        headers: { ...headers, Accept: 'application/x-ndjson' },
        body: JSON.stringify({ name: 'big', path: 'big' })
      });
      const reader = res.body!.getReader();
      await reader.read(); // the first progress line: hashing has started
      const gone = new Promise(resolve => first.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await gone;
      await reader.cancel().catch(() => undefined);

      const second = await serveBundle(env);
      try {
        const storeDir = join(data.path, 'datasets', 'store');
        expect(readdirSync(join(storeDir, 'tmp'))).toEqual([]);
        expect(objectsIn(storeDir).filter(o => !o.ok)).toEqual([]);
        expect((await fetch(`${second.url}/datasets/alice/big`, { headers })).status).toBe(404);
        const done = await fetch(`${second.url}/datasets/versions`, { method: 'POST', headers, body: JSON.stringify({ name: 'big', path: 'big' }) });
        expect(done.status).toBe(201);
        expect(((await done.json()) as { files: number }).files).toBe(1500);
        expect(objectsIn(storeDir).filter(o => !o.ok)).toEqual([]);
        expect(statSync(join(storeDir, 'files', 'md5')).isDirectory()).toBe(true);
      } finally {
        second.child.kill('SIGTERM');
      }
    } finally {
      ws.cleanup();
      data.cleanup();
    }
  });
});
