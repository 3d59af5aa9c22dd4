import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/env';
import { expectError } from './helpers/expectError';
import { startTestServer, type TestServer } from './helpers/server';
import { api, cli, notebook, write } from './git/helpers';

let ts: TestServer;
let ws: { path: string; cleanup(): void };
let a: ReturnType<typeof api>;

beforeAll(async () => {
  ws = tempDir('git-ws');
  ts = await startTestServer({ workspaceDir: ws.path });
  a = api(ts.url, 'alice');
});
afterAll(async () => {
  await ts.close();
  ws.cleanup();
});

describe('a repository written by Conveyor', () => {
  const dir = () => join(ws.path, 'proj');

  test('init, status, stage, commit: the CLI sees the same history and fsck is clean', async () => {
    write(ws.path, 'proj/analysis.ipynb', notebook(['x = 1', 'print(x)']));
    write(ws.path, 'proj/notes/readme.md', '# Notes\n');
    expect((await a.get('/git/repo?path=proj')).root).toBeNull();
    const repo = await a.post('/git/init', { path: 'proj' });
    expect(repo).toMatchObject({ root: 'proj', branch: 'main', head: null, detached: false, stripOutputs: false });

    let status = await a.get('/git/status?repo=proj');
    expect(status.files).toEqual([
      { path: 'proj/analysis.ipynb', status: 'untracked', staged: false, unstaged: true },
      { path: 'proj/notes/readme.md', status: 'untracked', staged: false, unstaged: true }
    ]);
    status = await a.post('/git/stage', { repo: 'proj', paths: ['proj/analysis.ipynb'] });
    expect(status.files[0]).toEqual({ path: 'proj/analysis.ipynb', status: 'added', staged: true, unstaged: false });
    const first = await a.post('/git/commit', { repo: 'proj', message: 'Add the analysis' });
    expect(first.oid).toMatch(/^[0-9a-f]{40}$/);

    await a.post('/git/stage', { repo: 'proj/notes', paths: ['proj'] });
    const second = await a.post('/git/commit', { repo: 'proj', message: 'Add notes\n\nWith a body.' });
    expect((await a.get('/git/status?repo=proj')).files).toEqual([]);

    cli(dir(), 'fsck', '--strict', '--no-progress');
    expect(cli(dir(), 'log', '--format=%H %an <%ae> %s').trim().split('\n')).toEqual([
      `${second.oid} alice <alice@conveyor.local> Add notes`,
      `${first.oid} alice <alice@conveyor.local> Add the analysis`
    ]);
    expect(cli(dir(), 'status', '--porcelain')).toBe('');
    const log = await a.get('/git/log?repo=proj');
    expect(log.commits.map((c: { oid: string }) => c.oid)).toEqual([second.oid, first.oid]);
    expect(log.commits[0]).toMatchObject({ summary: 'Add notes', author: { name: 'alice', email: 'alice@conveyor.local' }, parents: [first.oid] });
  });

  test('modified, deleted, unstage and discard follow the working copy', async () => {
    write(ws.path, 'proj/analysis.ipynb', notebook(['x = 2', 'print(x)']));
    write(ws.path, 'proj/new.py', 'print(1)\n');
    let files = (await a.get('/git/status?repo=proj')).files;
    expect(files).toEqual([
      { path: 'proj/analysis.ipynb', status: 'modified', staged: false, unstaged: true },
      { path: 'proj/new.py', status: 'untracked', staged: false, unstaged: true }
    ]);
    expect(cli(dir(), 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([' M analysis.ipynb', '?? new.py']);
    await a.post('/git/stage', { repo: 'proj', paths: ['proj/analysis.ipynb', 'proj/new.py'] });
    expect(cli(dir(), 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual(['A  new.py', 'M  analysis.ipynb']);
    files = (await a.post('/git/unstage', { repo: 'proj', paths: ['proj/new.py', 'proj/analysis.ipynb'] })).files;
    expect(files.map((f: { status: string; staged: boolean }) => [f.status, f.staged])).toEqual([['modified', false], ['untracked', false]]);

    await expectError(await a.raw('POST', '/git/discard', { repo: 'proj', paths: ['proj/new.py'] }), 400, 'untracked_path');
    files = (await a.post('/git/discard', { repo: 'proj', paths: ['proj/analysis.ipynb'] })).files;
    expect(files).toEqual([{ path: 'proj/new.py', status: 'untracked', staged: false, unstaged: true }]);
    expect(readFileSync(join(dir(), 'analysis.ipynb'), 'utf8')).toContain('x = 1');

    cli(dir(), 'rm', '-q', '--cached', 'notes/readme.md');
    files = (await a.get('/git/status?repo=proj')).files;
    expect(files.find((f: { path: string }) => f.path === 'proj/notes/readme.md')).toEqual({ path: 'proj/notes/readme.md', status: 'deleted', staged: true, unstaged: true });
    cli(dir(), 'reset', '-q');
  });

  test('amend keeps the author and parent, takes a new message', async () => {
    const before = (await a.get('/git/log?repo=proj')).commits;
    await a.post('/git/stage', { repo: 'proj', paths: ['proj/new.py'] });
    const amended = await api(ts.url, 'bob').post('/git/commit', { repo: 'proj', message: 'Add notes and a script', amend: true });
    const after = (await a.get('/git/log?repo=proj')).commits;
    expect(after).toHaveLength(before.length);
    expect(after[0]).toMatchObject({ oid: amended.oid, summary: 'Add notes and a script', author: { name: 'alice' }, committer: { name: 'bob' }, parents: before[0].parents });
    expect(cli(dir(), 'show', '--format=', '--name-only', 'HEAD').trim().split('\n').sort()).toEqual(['new.py', 'notes/readme.md']);
    await expectError(await a.raw('POST', '/git/commit', { repo: 'proj', message: 'empty' }), 400, 'nothing_to_commit');
  });

  test('history of one notebook, show, notebook-aware diff and restore as a new change', async () => {
    const oldText = readFileSync(join(dir(), 'analysis.ipynb'), 'utf8');
    write(ws.path, 'proj/analysis.ipynb', notebook(['x = 3', 'print(x)', 'y = x * 2'], { outputs: ['', '3\n'], metadata: { kernelspec: { name: 'python3' }, title: 't' } }));
    const c3 = await a.post('/git/commit', { repo: 'proj', message: 'Third cell', paths: ['proj/analysis.ipynb'] });
    const hist = (await a.get('/git/log?repo=proj&path=proj/analysis.ipynb')).commits;
    expect(hist.map((c: { summary: string }) => c.summary)).toEqual(['Third cell', 'Add the analysis']);
    expect(cli(dir(), 'log', '--format=%H', '--', 'analysis.ipynb').trim().split('\n')).toEqual(hist.map((c: { oid: string }) => c.oid));

    const shown = await a.get(`/git/show?repo=proj&path=proj/analysis.ipynb&ref=${hist[1].oid.slice(0, 8)}`);
    // the run panel's link names only the file and the commit
    expect((await a.get(`/git/show?path=proj/analysis.ipynb&ref=${hist[1].oid}`)).content).toBe(oldText);
    expect(shown).toMatchObject({ path: 'proj/analysis.ipynb', notebook: true, encoding: 'utf-8', content: oldText });

    const d = await a.get(`/git/diff?repo=proj&path=proj/analysis.ipynb&from=${hist[1].oid}&to=${c3.oid}`);
    expect(d.kind).toBe('notebook');
    expect(d.diff.summary).toMatchObject({ added: 1, modified: 2 });
    expect(d.diff.cells[1].outputsChanged).toBe(true);
    expect(d.metadata.changed).toBe(true);
    expect(d.warnings).toEqual([]);

    const r = await a.post('/git/restore', { repo: 'proj', path: 'proj/analysis.ipynb', ref: 'HEAD~1' });
    expect(r.oid).toBe(shown.oid);
    expect(readFileSync(join(dir(), 'analysis.ipynb'), 'utf8')).toBe(oldText);
    expect((await a.get('/git/log?repo=proj')).commits[0].oid).toBe(c3.oid);
    expect((await a.get('/git/status?repo=proj')).files).toEqual([{ path: 'proj/analysis.ipynb', status: 'modified', staged: false, unstaged: true }]);
    const back = await a.get('/git/diff?repo=proj&path=proj/analysis.ipynb');
    expect(back.diff.summary.removed).toBe(1);
    await a.post('/git/restore', { repo: 'proj', path: 'proj/analysis.ipynb', ref: 'HEAD' });
  });

  test('a corrupt notebook is diffed as text with a warning; plain files get a patch', async () => {
    write(ws.path, 'proj/analysis.ipynb', '{"cells": [oops');
    const d = await a.get('/git/diff?repo=proj&path=proj/analysis.ipynb');
    expect(d.kind).toBe('text');
    expect(d.warnings[0]).toMatch(/could not be read as a notebook/);
    expect(d.patch).toContain('+{"cells": [oops');
    await a.post('/git/restore', { repo: 'proj', path: 'proj/analysis.ipynb', ref: 'HEAD' });
    write(ws.path, 'proj/new.py', 'print(2)\n');
    const t = await a.get('/git/diff?repo=proj&path=proj/new.py&from=HEAD&to=WORKTREE');
    expect(t.patch).toMatch(/-print\(1\)\n\+print\(2\)/);
    await a.post('/git/discard', { repo: 'proj', paths: ['proj/new.py'] });
  });

  test('strip outputs on commit: the commit has no outputs, the working copy keeps them', async () => {
    const repo = await a.post('/git/settings', { repo: 'proj', stripOutputs: true }, 'PUT');
    expect(repo.stripOutputs).toBe(true);
    expect(cli(dir(), 'config', 'conveyor.stripOutputs').trim()).toBe('true');
    const withOutputs = notebook(['x = 4', 'print(x)'], { outputs: ['', '4\n'] });
    write(ws.path, 'proj/analysis.ipynb', withOutputs);
    await a.post('/git/commit', { repo: 'proj', message: 'Stripped', paths: ['proj/analysis.ipynb'] });
    const committed = JSON.parse(cli(dir(), 'show', 'HEAD:analysis.ipynb'));
    expect(committed.cells[1].outputs).toEqual([]);
    expect(committed.cells[1].execution_count).toBeNull();
    expect(readFileSync(join(dir(), 'analysis.ipynb'), 'utf8')).toBe(withOutputs);
    expect((await a.get('/git/status?repo=proj')).files).toEqual([]);
    await a.post('/git/settings', { repo: 'proj', stripOutputs: false }, 'PUT');
    // without the setting (and for the CLI, which has no such filter) the outputs are a change
    expect((await a.get('/git/status?repo=proj')).files).toEqual([{ path: 'proj/analysis.ipynb', status: 'modified', staged: false, unstaged: true }]);
    await a.post('/git/restore', { repo: 'proj', path: 'proj/analysis.ipynb', ref: 'HEAD' });
    cli(dir(), 'fsck', '--strict', '--no-progress');
  });

  test('concurrent commits are serialised into a linear history', async () => {
    for (let i = 0; i < 4; i++) write(ws.path, `proj/c${i}.txt`, `${i}\n`);
    const results = await Promise.all([0, 1, 2, 3].map(i => a.post('/git/commit', { repo: 'proj', message: `c${i}`, paths: [`proj/c${i}.txt`] })));
    expect(new Set(results.map(r => r.oid)).size).toBe(4);
    const log = cli(dir(), 'log', '--format=%H %P', '-5').trim().split('\n').map(l => l.split(' '));
    for (let i = 0; i < 4; i++) expect(log[i][1]).toBe(log[i + 1][0]);
    cli(dir(), 'fsck', '--strict', '--no-progress');
    expect(cli(dir(), 'status', '--porcelain')).toBe('');
  });
});

describe('bad input', () => {
  test('paths outside the workspace or the repository are refused', async () => {
    await expectError(await a.raw('GET', '/git/status?repo=../..'), 400, 'path_outside_workspace');
    await expectError(await a.raw('POST', '/git/stage', { repo: 'proj', paths: ['/etc/passwd'] }), 400, 'path_outside_workspace');
    await expectError(await a.raw('GET', '/git/show?repo=proj&path=../../etc/passwd'), 400, 'path_outside_workspace');
    write(ws.path, 'other/file.txt', 'x\n');
    await expectError(await a.raw('POST', '/git/stage', { repo: 'proj', paths: ['other/file.txt'] }), 400, 'path_outside_repository');
    await expectError(await a.raw('GET', '/git/show?repo=proj&path=proj/.git/config'), 400, 'path_outside_repository');
    symlinkSync('/etc', join(ws.path, 'proj', 'etc-link'));
    await expectError(await a.raw('GET', '/git/diff?repo=proj&path=proj/etc-link/passwd'), 400, 'path_outside_workspace');
    await expectError(await a.raw('POST', '/git/init', { path: '../outside' }), 400, 'path_outside_workspace');
  });

  test('unknown repositories, refs and files are clear 4xx errors', async () => {
    await expectError(await a.raw('GET', '/git/status?repo=other'), 404, 'not_a_repository');
    await expectError(await a.raw('GET', '/git/log?repo=proj&ref=nope'), 404, 'unknown_ref');
    await expectError(await a.raw('GET', '/git/show?repo=proj&path=proj/missing.ipynb&ref=HEAD'), 404, 'file_not_found');
    await expectError(await a.raw('POST', '/git/restore', { repo: 'proj', path: 'proj/missing.ipynb', ref: 'HEAD' }), 404, 'file_not_found');
    await expectError(await a.raw('POST', '/git/commit', { repo: 'proj', message: 'x', extra: 1 }), 400, 'invalid_request');
    await expectError(await a.raw('GET', '/git/log?repo=proj&limit=-1'), 400, 'invalid_request');
    await expectError(await a.raw('POST', '/git/init', { path: 'nope' }), 404, 'folder_not_found');
    const res = await fetch(`${ts.url}/git/status?repo=proj`);
    expect(res.status).toBe(401);
  });

  test('a repository with no commits answers empty history and refuses amend', async () => {
    write(ws.path, 'fresh/a.txt', 'a\n');
    await a.post('/git/init', { path: 'fresh' });
    expect((await a.get('/git/log?repo=fresh')).commits).toEqual([]);
    await expectError(await a.raw('POST', '/git/commit', { repo: 'fresh', amend: true }), 400, 'nothing_to_amend');
    await a.post('/git/stage', { repo: 'fresh', paths: ['fresh/a.txt'] });
    expect((await a.post('/git/unstage', { repo: 'fresh', paths: ['fresh'] })).files).toEqual([{ path: 'fresh/a.txt', status: 'untracked', staged: false, unstaged: true }]);
    writeFileSync(join(ws.path, 'fresh', '.gitignore'), '*.log\n');
    write(ws.path, 'fresh/debug.log', 'x\n');
    write(ws.path, 'fresh/.ipynb_checkpoints/a-checkpoint.ipynb', '{}');
    const files = (await a.get('/git/status?repo=fresh')).files.map((f: { path: string }) => f.path);
    expect(files).toEqual(['fresh/.gitignore', 'fresh/a.txt']);
    expect(existsSync(join(ws.path, 'fresh', '.git', 'HEAD'))).toBe(true);
  });

  test('a folder of thousands of untracked files is listed up to 5,000 and flagged truncated', async () => {
    for (let i = 0; i < 5010; i++) write(ws.path, `fresh/venv/lib/f${i}.py`, '');
    const status = await a.get('/git/status?repo=fresh');
    expect(status.truncated).toBe(true);
    expect(status.files).toHaveLength(5000);
    writeFileSync(join(ws.path, 'fresh', '.gitignore'), '*.log\nvenv/\n');
    const after = await a.get('/git/status?repo=fresh');
    expect(after.truncated).toBeUndefined();
    expect(after.files.map((f: { path: string }) => f.path)).toEqual(['fresh/.gitignore', 'fresh/a.txt']);
  });
});
