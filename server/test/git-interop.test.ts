import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { validatorFor } from '../src/core/schemas';
import { ObjectReader } from '../src/git/odb';
import { tempDir } from './helpers/env';
import { expectError } from './helpers/expectError';
import { SECRET, startTestServer, type TestServer } from './helpers/server';
import { api, cli, notebook, startGitHttp, write } from './git/helpers';

let ts: TestServer;
let ws: { path: string; cleanup(): void };
let a: ReturnType<typeof api>;

beforeAll(async () => {
  ws = tempDir('git-interop');
  ts = await startTestServer({ workspaceDir: ws.path });
  a = api(ts.url, 'alice');
});
afterAll(async () => {
  await ts.close();
  ws.cleanup();
});

const oids = (commits: { oid: string }[]) => commits.map(c => c.oid);
const lines = (s: string) => s.trim().split('\n').filter(Boolean);

describe('a repository made by the git CLI (packs, packed refs, branches)', () => {
  const dir = () => join(ws.path, 'cli');

  beforeAll(() => {
    cli(ws.path, 'init', '-q', '-b', 'main', 'cli');
    for (let i = 0; i < 5; i++) {
      write(dir(), 'nb/model.ipynb', notebook([`lr = ${i}`, 'train(lr)']));
      write(dir(), `data/file${i}.csv`, `a,b\n${i},${i}\n`);
      cli(dir(), 'add', '-A');
      cli(dir(), 'commit', '-q', '-m', `Step ${i}`);
    }
    cli(dir(), 'branch', 'feature');
    cli(dir(), 'gc', '-q', '--aggressive');
    expect(existsSync(join(dir(), '.git', 'packed-refs'))).toBe(true);
    expect(readFileSync(join(dir(), '.git', 'packed-refs'), 'utf8')).toContain('refs/heads/feature');
  });

  test('status is clean and the history and per-file history match git log', async () => {
    expect((await a.get('/git/status?repo=cli')).files).toEqual([]);
    expect(oids((await a.get('/git/log?repo=cli')).commits)).toEqual(lines(cli(dir(), 'log', '--format=%H')));
    expect(oids((await a.get('/git/log?repo=cli&limit=2&skip=1')).commits)).toEqual(lines(cli(dir(), 'log', '--format=%H', '-2', '--skip=1')));
    expect(oids((await a.get('/git/log?repo=cli&path=cli/data/file2.csv')).commits)).toEqual(lines(cli(dir(), 'log', '--format=%H', '--', 'data/file2.csv')));
    expect(oids((await a.get('/git/log?repo=cli/nb&path=cli/nb/model.ipynb')).commits)).toEqual(lines(cli(dir(), 'log', '--format=%H', '--', 'nb/model.ipynb')));
    const shown = await a.get('/git/show?repo=cli&path=cli/nb/model.ipynb&ref=HEAD~3');
    expect(shown.content).toBe(cli(dir(), 'show', 'HEAD~3:nb/model.ipynb'));
    const d = await a.get('/git/diff?repo=cli&path=cli/nb/model.ipynb&from=HEAD~4&to=HEAD');
    expect(d.diff.summary).toMatchObject({ modified: 1, unchanged: 1 });
  });

  test('every object of the packs (deltas included) reads back with its id; an index v4 is read too', async () => {
    const reader = new ObjectReader(join(dir(), '.git'));
    const all = lines(cli(dir(), 'cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype) %(deltabase)'));
    expect(all.some(l => !l.endsWith(' 0000000000000000000000000000000000000000'))).toBe(true); // some objects are deltas
    for (const line of all) {
      const [oid, type] = line.split(' ');
      const obj = reader.read(oid)!;
      expect(obj.type).toBe(type);
      const hash = createHash('sha1').update(`${type} ${obj.content.length}\0`).update(obj.content).digest('hex');
      expect(hash).toBe(oid);
    }
    reader.close();
    cli(dir(), 'update-index', '--index-version', '4');
    write(dir(), 'data/file1.csv', 'changed\n');
    expect((await a.get('/git/status?repo=cli')).files).toEqual([{ path: 'cli/data/file1.csv', status: 'modified', staged: false, unstaged: true }]);
    cli(dir(), 'checkout', '--', 'data/file1.csv');
    cli(dir(), 'update-index', '--index-version', '2');
    expect((await a.get('/git/status?repo=cli')).files).toEqual([]);
  });

  test('untracked and ignored files match git status -uall (nested .gitignore, negation, info/exclude)', async () => {
    write(dir(), '.gitignore', '*.log\nbuild/\n!keep.log\n');
    write(dir(), 'nb/.gitignore', 'scratch-*\n');
    write(dir(), '.git/info/exclude', 'secret.txt\n');
    for (const f of ['a.log', 'keep.log', 'build/out.bin', 'nb/scratch-1.ipynb', 'nb/real.ipynb', 'secret.txt', 'data/deep/x.csv', 'nb/sub/.gitignore', 'nb/sub/y.py']) write(dir(), f, 'x\n');
    write(dir(), 'nb/sub/.gitignore', '!scratch-2\n*.py\n');
    const expected = lines(cli(dir(), 'status', '--porcelain', '-uall')).filter(l => l.startsWith('??')).map(l => `cli/${l.slice(3)}`).sort();
    const got = (await a.get('/git/status?repo=cli')).files.filter((f: { status: string }) => f.status === 'untracked').map((f: { path: string }) => f.path);
    expect(got).toEqual(expected);
    expect(got).toContain('cli/keep.log');
    cli(dir(), 'clean', '-fdxq');
    write(dir(), '.git/info/exclude', '');
  });

  test('a submodule entry (gitlink) does not break status, history or branches', async () => {
    const head = cli(dir(), 'rev-parse', 'HEAD').trim();
    cli(dir(), 'update-index', '--add', '--cacheinfo', `160000,${head},vendor/lib`);
    cli(dir(), 'commit', '-q', '-m', 'Add a submodule entry');
    expect((await a.get('/git/status?repo=cli')).files).toEqual([]);
    expect((await a.get('/git/log?repo=cli&path=cli/vendor/lib')).commits).toHaveLength(1);
    cli(dir(), 'reset', '-q', '--hard', head);
  });

  test('branches: list packed refs, create, switch, fast-forward, and refuse to lose work or merge for real', async () => {
    const head = cli(dir(), 'rev-parse', 'HEAD').trim();
    expect(await a.get('/git/branches?repo=cli')).toEqual({ current: 'main', branches: [{ name: 'feature', oid: head }, { name: 'main', oid: head }] });
    await a.post('/git/checkout', { repo: 'cli', branch: 'feature' });
    write(dir(), 'nb/model.ipynb', notebook(['lr = 10', 'train(lr)']));
    const conflict = await expectError(await a.raw('POST', '/git/checkout', { repo: 'cli', branch: 'main' }), 409, 'uncommitted_changes');
    expect(conflict.error.details.paths).toEqual(['cli/nb/model.ipynb']);
    const f1 = await a.post('/git/commit', { repo: 'cli', message: 'Tune lr', paths: ['cli/nb/model.ipynb'] });
    expect(cli(dir(), 'rev-parse', 'feature').trim()).toBe(f1.oid);

    await a.post('/git/checkout', { repo: 'cli', branch: 'main' });
    expect(readFileSync(join(dir(), 'nb/model.ipynb'), 'utf8')).toContain('lr = 4');
    expect(cli(dir(), 'status', '--porcelain')).toBe('');
    const merged = await a.post('/git/merge', { repo: 'cli', branch: 'feature' });
    expect(merged).toEqual({ oid: f1.oid, fastForward: true, alreadyUpToDate: false });
    expect(readFileSync(join(dir(), 'nb/model.ipynb'), 'utf8')).toContain('lr = 10');
    expect(cli(dir(), 'status', '--porcelain')).toBe('');
    expect((await a.post('/git/merge', { repo: 'cli', branch: 'feature' })).alreadyUpToDate).toBe(true);

    await a.post('/git/branches', { repo: 'cli', name: 'side', from: 'HEAD~1' });
    await expectError(await a.raw('POST', '/git/branches', { repo: 'cli', name: 'side' }), 409, 'branch_exists');
    await expectError(await a.raw('POST', '/git/branches', { repo: 'cli', name: 'bad..name' }), 400, 'invalid_ref_name');
    await a.post('/git/checkout', { repo: 'cli', branch: 'side' });
    write(dir(), 'side.txt', 'side\n');
    await a.post('/git/commit', { repo: 'cli', message: 'Side work', paths: ['cli/side.txt'] });
    await a.post('/git/checkout', { repo: 'cli', branch: 'main' });
    expect(existsSync(join(dir(), 'side.txt'))).toBe(false);
    await expectError(await a.raw('POST', '/git/merge', { repo: 'cli', branch: 'side' }), 409, 'merge_required');
    await expectError(await a.raw('POST', '/git/checkout', { repo: 'cli', branch: 'nope' }), 404, 'unknown_branch');
    cli(dir(), 'fsck', '--strict', '--no-progress');
    expect(cli(dir(), 'branch', '--show-current').trim()).toBe('main');
  });
});

function listen(port: number, sink: any[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(`ws://127.0.0.1:${port}/conveyor/api/v1/ws`, { headers: { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': 'alice' } });
    sock.on('message', d => sink.push(JSON.parse(String(d))));
    sock.on('open', () => resolve(sock));
    sock.on('error', reject);
  });
}

describe('remotes over smart HTTP (git http-backend on loopback, basic auth)', () => {
  let server: { port: number; stop(): void };
  const remotes = () => join(ws.path, '..', `${ws.path.split('/').pop()}-remotes`);
  const local = () => join(ws.path, 'pushme');

  beforeAll(async () => {
    cli(ws.path, 'init', '-q', '--bare', '-b', 'main', remotes() + '/shared.git');
    server = await startGitHttp(remotes(), 'alice:s3cret-pw');
    write(ws.path, 'pushme/nb.ipynb', notebook(['a = 1']));
    await a.post('/git/init', { path: 'pushme' });
    await a.post('/git/commit', { repo: 'pushme', message: 'First', paths: ['pushme/nb.ipynb'] });
  });
  afterAll(() => {
    server.stop();
    rmSync(remotes(), { recursive: true, force: true });
  });

  const url = () => `http://127.0.0.1:${server.port}/shared.git`;

  test('credentials: refused without them, stored server-side, never returned; push and pull move the branch', async () => {
    await expectError(await a.raw('POST', '/git/remotes', { repo: 'pushme', name: 'origin', url: 'http://alice:pw@127.0.0.1/x.git' }), 400, 'credentials_in_url');
    await expectError(await a.raw('POST', '/git/remotes', { repo: 'pushme', name: 'origin', url: 'file:///etc' }), 400, 'invalid_remote_url');
    await a.post('/git/remotes', { repo: 'pushme', name: 'origin', url: url() });
    await expectError(await a.raw('POST', '/git/push', { repo: 'pushme', remote: 'origin' }), 403, 'remote_auth_failed');

    const added = await a.post('/git/remotes', { repo: 'pushme', name: 'origin', url: url(), username: 'alice', password: 's3cret-pw' });
    expect(added.remotes).toEqual([{ name: 'origin', url: url(), hasCredentials: true }]);
    const repoText = await (await a.raw('GET', '/git/repo?path=pushme')).text();
    expect(repoText).not.toContain('s3cret-pw');
    expect(readFileSync(join(local(), '.git', 'config'), 'utf8')).not.toContain('s3cret-pw');
    const row = await ts.store.db.selectFrom('git_credentials').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ owner: 'alice', url: url(), username: 'alice' });
    expect(row.secret).not.toContain('s3cret-pw');
    expect((await api(ts.url, 'bob').get('/git/remotes?repo=pushme')).remotes[0].hasCredentials).toBe(false);

    const events: any[] = [];
    const sock = await listen(ts.port, events);
    const pushed = await a.post('/git/push', { repo: 'pushme', remote: 'origin', opId: 'op-push-1' });
    expect(pushed.opId).toBe('op-push-1');
    const head = cli(local(), 'rev-parse', 'HEAD').trim();
    expect(cli(remotes() + '/shared.git', 'rev-parse', 'main').trim()).toBe(head);
    expect(cli(local(), 'rev-parse', 'refs/remotes/origin/main').trim()).toBe(head);

    // someone else pushes with the CLI; pull fast-forwards, with progress events
    const clone = join(remotes(), 'clone');
    cli(remotes(), 'clone', '-q', `http://alice:s3cret-pw@127.0.0.1:${server.port}/shared.git`, clone);
    write(clone, 'nb.ipynb', notebook(['a = 2']));
    cli(clone, 'commit', '-q', '-am', 'From the CLI');
    cli(clone, 'push', '-q', 'origin', 'main');
    const pulled = await a.post('/git/pull', { repo: 'pushme', remote: 'origin', opId: 'op-pull-1' });
    expect(pulled).toMatchObject({ opId: 'op-pull-1', fastForward: true, oid: cli(clone, 'rev-parse', 'HEAD').trim() });
    expect(readFileSync(join(local(), 'nb.ipynb'), 'utf8')).toContain('a = 2');
    expect((await a.get('/git/status?repo=pushme')).files).toEqual([]);
    sock.close();
    const progress = events.filter(e => e.type === 'git.progress');
    expect(progress.some(e => e.opId === 'op-pull-1' && e.op === 'pull')).toBe(true);
    const valid = validatorFor('event.json');
    for (const e of progress) expect(valid(e)).toBe(true);

    await a.post('/git/fetch', { repo: 'pushme', remote: 'origin' });
    cli(local(), 'fsck', '--strict', '--no-progress');
  });

  test('a rejected push (non-fast-forward, or refused by a hook) leaves the local repository unchanged', async () => {
    const clone = join(remotes(), 'clone');
    write(clone, 'other.txt', 'x\n');
    cli(clone, 'add', 'other.txt');
    cli(clone, 'commit', '-q', '-m', 'Diverge');
    cli(clone, 'push', '-q', 'origin', 'main');
    write(ws.path, 'pushme/mine.txt', 'mine\n');
    await a.post('/git/commit', { repo: 'pushme', message: 'Mine', paths: ['pushme/mine.txt'] });

    const snapshot = () => cli(local(), 'for-each-ref', '--format=%(refname) %(objectname)') + cli(local(), 'rev-parse', 'HEAD');
    const before = snapshot();
    const headBefore = cli(local(), 'rev-parse', 'HEAD');
    await expectError(await a.raw('POST', '/git/push', { repo: 'pushme', remote: 'origin' }), 409, 'push_rejected');
    expect(snapshot()).toBe(before);

    await expectError(await a.raw('POST', '/git/pull', { repo: 'pushme', remote: 'origin' }), 409, 'merge_required');
    expect(cli(local(), 'rev-parse', 'HEAD')).toBe(headBefore);

    // the server refuses every push with a hook: still nothing changes locally
    const hook = join(remotes(), 'shared.git', 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "pushes are closed" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    await a.post('/git/branches', { repo: 'pushme', name: 'topic' });
    await a.post('/git/checkout', { repo: 'pushme', branch: 'topic' });
    const before2 = snapshot();
    await expectError(await a.raw('POST', '/git/push', { repo: 'pushme', remote: 'origin' }), 409, 'push_rejected');
    expect(snapshot()).toBe(before2);
    expect(lines(cli(remotes() + '/shared.git', 'branch', '--format=%(refname:short)'))).toEqual(['main']);

    await expectError(await a.raw('POST', '/git/push', { repo: 'pushme', remote: 'nope' }), 404, 'unknown_remote');
    await a.post('/git/remotes', { repo: 'pushme', name: 'dead', url: 'http://127.0.0.1:9/none.git' });
    await expectError(await a.raw('POST', '/git/fetch', { repo: 'pushme', remote: 'dead' }), 400, 'remote_unreachable');
    const left = (await (await a.raw('DELETE', '/git/remotes?repo=pushme&name=origin')).json()) as { remotes: { name: string }[] };
    expect(left.remotes.map((r: { name: string }) => r.name)).toEqual(['dead']);
    expect(await ts.store.db.selectFrom('git_credentials').selectAll().execute()).toEqual([]);
  });
});
