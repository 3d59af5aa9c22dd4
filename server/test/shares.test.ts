import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { RunQueries } from '../src/runs/queries';
import { newRunId } from '../src/runs/ids';
import type { RunState, StepState } from '../src/runs/model';
import { createShareAccess } from '../src/shares';
import { tempDir } from './helpers/env';
import { SECRET, startTestServer, type TestServer } from './helpers/server';
import { writeTree } from './datasets/helpers';
import { backends } from './models-helpers';

/**
 * Share links (docs/sharing.md) on a real in-process server, SQLite and Postgres: the
 * authorization matrix owner / view holder / collaborate holder / other user / anonymous /
 * expired link / revoked link over a real run, a real dataset version and an experiment comparison.
 */

type Who = 'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank' | 'mallory' | 'anonymous';
interface Reply {
  status: number;
  body: any;
}

const DAY = 24 * 3600;

function succeededRun(owner: string): { run: RunState; step: StepState } {
  const at = Date.now();
  const run: RunState = {
    id: newRunId(at),
    owner,
    name: 'shared-run',
    experiment: 'shared-run',
    status: 'succeeded',
    pipeline: { apiVersion: 'conveyor/v1', kind: 'Pipeline', name: 'shared-run', steps: [{ name: 'a', command: ['true'] }] },
    params: { lr: 0.1 },
    sweep: null,
    submit: { pipeline: {} },
    parentId: null,
    resumedFrom: null,
    cache: true,
    sourcePath: 'p.yaml',
    gitCommit: null,
    error: null,
    createdAt: new Date(at).toISOString(),
    startedAt: new Date(at).toISOString(),
    finishedAt: new Date(at).toISOString()
  };
  const step: StepState = {
    runId: run.id,
    name: 'a',
    position: 0,
    status: 'succeeded',
    attempt: 1,
    dependsOn: [],
    spec: {
      image: 'img',
      imageDigest: 'sha256:x',
      command: ['true'],
      params: {},
      files: [],
      inputs: {},
      outputs: [],
      env: {},
      resources: { cpus: 1 },
      network: false,
      retry: { attempts: 1, backoffSeconds: 2 },
      cache: true
    } as unknown as StepState['spec'],
    containerId: null,
    exitCode: 0,
    oomKilled: false,
    error: null,
    cacheKey: null,
    cachedFrom: null,
    imageDigest: null,
    notebookHash: null,
    executedNotebook: null,
    outputs: [],
    queuedAt: run.createdAt,
    startedAt: run.createdAt,
    finishedAt: run.createdAt
  };
  return { run, step };
}

describe.each(backends('shares'))('share links on $name', backend => {
  let srv: TestServer;
  let ws: { path: string; cleanup(): void };
  let runId: string;
  let versionId: string;
  let experimentId: string;
  let trackedRun: string;

  async function call(who: Who, method: string, path: string, body?: unknown, base = srv.url): Promise<Reply> {
    const headers: Record<string, string> = who === 'anonymous' ? {} : { 'X-Conveyor-Secret': SECRET, 'X-Conveyor-User': who };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  }
  const mlflow = (who: Who, path: string, body: unknown): Promise<Reply> =>
    call(who, 'POST', `/${path}`, body, `http://127.0.0.1:${srv.port}/conveyor/mlflow/api/2.0/mlflow`);

  async function share(who: Who, kind: string, target: unknown, scope: string, expiresInSeconds: number | null = DAY): Promise<Reply> {
    // null: no expiry in the body at all
    return call(who, 'POST', '/shares', { kind, target, scope, ...(expiresInSeconds === null ? {} : { expiresInSeconds }) });
  }

  beforeAll(async () => {
    const url = await backend.url();
    ws = tempDir('shares-ws');
    srv = await startTestServer({ workspaceDir: ws.path, ...(url ? { databaseUrl: url } : {}) });
    const { run, step } = succeededRun('alice');
    await new RunQueries(srv.store.db).insert(run, [step]);
    runId = run.id;
    writeTree(join(ws.path, 'raw'), { 'a.txt': 'hello\n' });
    const added = await call('alice', 'POST', '/datasets/versions', { name: 'raw', path: 'raw', tags: ['v1'] });
    expect(added.status).toBe(201);
    versionId = added.body.id;
    const exp = await mlflow('alice', 'experiments/create', { name: 'shared-exp' });
    expect(exp.status).toBe(200);
    experimentId = exp.body.experiment_id;
    const created = await mlflow('alice', 'runs/create', { experiment_id: experimentId, run_name: 'r1' });
    trackedRun = created.body.run.info.run_id;
    expect((await mlflow('alice', 'runs/log-parameter', { run_id: trackedRun, key: 'lr', value: '0.1' })).status).toBe(200);
  });
  afterAll(async () => {
    await srv?.close();
    await backend.cleanup();
    ws?.cleanup();
  });

  /** A read through each target's ordinary read endpoints; 200 when visible. */
  const reads: Record<string, (who: Who) => Promise<Reply[]>> = {
    run: async who => [await call(who, 'GET', `/runs/${runId}`)],
    dataset: async who => [
      await call(who, 'GET', `/datasets/alice/raw/versions/${versionId}`),
      await call(who, 'GET', `/datasets/alice/raw/versions/${versionId}/files`),
      await call(who, 'GET', `/datasets/alice/raw/versions/${versionId}/files/a.txt`)
    ],
    comparison: async who => [
      await call(who, 'POST', '/experiments/search', { experimentIds: [experimentId] }),
      await call(who, 'GET', `/experiments/runs/${trackedRun}`),
      await call(who, 'GET', `/experiments/get?experiment_id=${experimentId}`, undefined, `http://127.0.0.1:${srv.port}/conveyor/mlflow/api/2.0/mlflow`)
    ]
  };
  const targets = (): Record<string, unknown> => ({
    run: { id: runId },
    dataset: { dataset: 'alice/raw', version: 'v1' },
    comparison: { experiments: [Number(experimentId)] }
  });

  test('the authorization matrix: owner, view and collaborate holders, other user, anonymous, expired and revoked links', async () => {
    const codes: Record<string, Record<string, { id: string; code: string }>> = {};
    for (const [kind, target] of Object.entries(targets())) {
      codes[kind] = {};
      for (const [label, scope] of [['view', 'view'], ['collaborate', 'collaborate'], ['expiring', 'view'], ['revoked', 'view']]) {
        const r = await share('alice', kind, target, scope);
        expect(r.status).toBe(201);
        expect(r.body.code).toMatch(/^cvs_[A-Za-z0-9_-]{43}$/);
        expect(r.body.url).toBe(`lab?conveyor-share=${r.body.code}`);
        expect(r.body.link).toMatchObject({ kind, scope, status: 'active', uses: 0, users: [], revokedAt: null });
        codes[kind][label] = { id: r.body.id, code: r.body.code };
      }
      // A dataset tag is stored as the version id it names.
      if (kind === 'dataset') expect((await call('alice', 'GET', '/shares?kind=dataset')).body.links[0].target).toEqual({ dataset: 'alice/raw', version: versionId });
    }

    // Before anyone redeems: only the owner reads.
    for (const kind of Object.keys(reads)) {
      for (const r of await reads[kind]('alice')) expect({ kind, status: r.status }).toEqual({ kind, status: 200 });
      for (const r of await reads[kind]('bob')) expect({ kind, status: r.status }).toEqual({ kind, status: 404 });
    }

    const holders: [Who, string][] = [
      ['bob', 'view'],
      ['carol', 'collaborate'],
      ['erin', 'expiring'],
      ['frank', 'revoked']
    ];
    for (const kind of Object.keys(reads)) {
      for (const [who, label] of holders) {
        const r = await call(who, 'POST', '/shares/redeem', { code: codes[kind][label].code });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ linkId: codes[kind][label].id, owner: 'alice', kind, scope: label === 'collaborate' ? 'collaborate' : 'view' });
      }
      // Everyone holding a live link reads, before expiry and revocation.
      for (const [who] of holders) for (const r of await reads[kind](who)) expect({ kind, who, status: r.status }).toEqual({ kind, who, status: 200 });
    }

    // Expire one link per kind (in the database: no waiting), revoke another through the API.
    for (const kind of Object.keys(reads)) {
      await srv.store.db.updateTable('share_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', codes[kind].expiring.id).execute();
      const revoked = await call('alice', 'DELETE', `/shares/${codes[kind].revoked.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', uses: 1, users: [{ user: 'frank', uses: 1 }] });
    }

    const expected: Record<Who, number> = { alice: 200, bob: 200, carol: 200, dave: 404, erin: 404, frank: 404, mallory: 404, anonymous: 401 };
    for (const kind of Object.keys(reads)) {
      for (const who of Object.keys(expected) as Who[]) {
        for (const r of await reads[kind](who)) expect({ kind, who, status: r.status }).toEqual({ kind, who, status: expected[who] });
      }
      // Expired and revoked codes say so; anonymous cannot redeem at all.
      expect(await call('erin', 'POST', '/shares/redeem', { code: codes[kind].expiring.code })).toMatchObject({ status: 410, body: { error: { code: 'share_expired' } } });
      expect(await call('frank', 'POST', '/shares/redeem', { code: codes[kind].revoked.code })).toMatchObject({ status: 410, body: { error: { code: 'share_revoked' } } });
      expect((await call('anonymous', 'POST', '/shares/redeem', { code: codes[kind].view.code })).status).toBe(401);
    }

    // Link holders only read: writes stay the owner's, whatever the scope.
    for (const who of ['bob', 'carol'] as Who[]) {
      expect((await call(who, 'POST', `/runs/${runId}/cancel`)).status).toBe(404);
      expect((await call(who, 'PUT', '/datasets/alice/raw/tags/mine', { version: versionId })).status).toBe(404);
      expect((await call(who, 'PUT', `/experiments/runs/${trackedRun}/candidate`, { candidate: true })).status).toBe(403);
      expect((await mlflow(who, 'runs/log-parameter', { run_id: trackedRun, key: 'x', value: '1' })).status).toBe(403);
    }
    // The bytes of the shared version, not just its metadata; the dataset's other pages stay private.
    expect(await call('bob', 'GET', `/datasets/alice/raw/versions/${versionId}/files/a.txt`)).toEqual({ status: 200, body: 'hello\n' });
    expect((await call('bob', 'GET', '/datasets/alice/raw')).status).toBe(404);
    writeTree(join(ws.path, 'raw'), { 'a.txt': 'hello again\n' });
    const v2 = await call('alice', 'POST', '/datasets/versions', { name: 'raw', path: 'raw' });
    expect(v2.status).toBe(201);
    expect((await call('bob', 'GET', `/datasets/alice/raw/versions/${v2.body.id}`)).status).toBe(404);
    expect((await call('bob', 'GET', `/datasets/alice/raw/diff?from=${versionId}&to=${v2.body.id}`)).status).toBe(404);
    // A run-step read passes visibility for a holder (no notebook here) and not for others.
    expect(await call('bob', 'GET', `/runs/${runId}/steps/a/notebook`)).toMatchObject({ status: 404, body: { error: { code: 'notebook_not_found' } } });
    expect(await call('dave', 'GET', `/runs/${runId}/steps/a/notebook`)).toMatchObject({ status: 404, body: { error: { code: 'run_not_found' } } });

    // shares.access, as the workspaces proxy and other modules ask it.
    const access = createShareAccess(srv.store.db).access;
    expect(await access('carol', 'run', { id: runId })).toBe('collaborate');
    expect(await access('bob', 'run', { id: runId })).toBe('view');
    expect(await access('dave', 'run', { id: runId })).toBeNull();
    expect(await access('erin', 'run', { id: runId })).toBeNull();
    expect(await access('frank', 'dataset', { version: versionId })).toBeNull();
    expect(await access('bob', 'dataset', { version: versionId })).toBe('view');

    // The owner's list: uses and who used each link; never a code.
    const listed = await call('alice', 'GET', `/shares?kind=run&target=${encodeURIComponent(JSON.stringify({ id: runId }))}`);
    expect(listed.status).toBe(200);
    expect(listed.body.links).toHaveLength(4);
    const byId = new Map<string, any>(listed.body.links.map((l: any) => [l.id, l]));
    expect(byId.get(codes.run.view.id)).toMatchObject({ status: 'active', uses: 1, users: [{ user: 'bob', uses: 1 }] });
    expect(byId.get(codes.run.collaborate.id)).toMatchObject({ scope: 'collaborate', users: [{ user: 'carol' }] });
    expect(byId.get(codes.run.expiring.id).status).toBe('expired');
    expect(JSON.stringify(listed.body)).not.toContain(codes.run.view.code);
    expect((await call('bob', 'GET', '/shares?kind=run')).body.links).toEqual([]);

    // Redeeming again counts a use on the grant.
    await call('bob', 'POST', '/shares/redeem', { code: codes.run.view.code });
    const again = (await call('alice', 'GET', '/shares?kind=run')).body.links.find((l: any) => l.id === codes.run.view.id);
    expect(again).toMatchObject({ uses: 2, users: [{ user: 'bob', uses: 2 }] });

    // Only a sha256 of the code is stored.
    const row = await srv.store.db.selectFrom('share_links').selectAll().where('id', '=', codes.run.view.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHash('sha256').update(codes.run.view.code).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(codes.run.view.code.slice(4));
  });

  test('only the owner creates links; bad input is a clear 4xx; bad codes do not reveal anything', async () => {
    // Someone else's target, even one that is shared with them, is 404.
    expect(await share('bob', 'run', { id: runId }, 'view')).toMatchObject({ status: 404, body: { error: { code: 'share_target_not_found' } } });
    expect((await share('bob', 'dataset', { dataset: 'alice/raw', version: versionId }, 'view')).status).toBe(404);
    expect((await share('bob', 'comparison', { experiments: [Number(experimentId)] }, 'view')).status).toBe(404);
    expect((await share('alice', 'run', { id: 'nosuchrun' }, 'view')).status).toBe(404);
    expect((await share('alice', 'dataset', { dataset: 'alice/raw', version: 'nosuchtag' }, 'view')).status).toBe(404);

    expect(await share('alice', 'notebook', { id: runId }, 'view')).toMatchObject({ status: 400, body: { error: { code: 'invalid_share_kind' } } });
    expect(await share('alice', 'run', { id: runId }, 'view', null)).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await share('alice', 'run', { id: runId }, 'view', 30 * DAY + 1)).toMatchObject({ status: 400, body: { error: { code: 'invalid_share_expiry' } } });
    expect(await share('alice', 'run', { id: runId }, 'view', 0)).toMatchObject({ status: 400, body: { error: { code: 'invalid_share_expiry' } } });
    expect((await share('alice', 'run', { id: runId }, 'admin')).status).toBe(400);
    expect(await share('alice', 'run', { experiments: [1] }, 'view')).toMatchObject({ status: 400, body: { error: { code: 'invalid_share_target' } } });
    expect(await share('alice', 'comparison', { experiments: [] }, 'view')).toMatchObject({ status: 400, body: { error: { code: 'invalid_share_target' } } });
    expect((await call('alice', 'GET', '/shares?kind=nope')).status).toBe(400);
    expect((await call('alice', 'GET', '/shares?kind=run&target=%7Bnot-json')).status).toBe(400);
    expect((await share('alice', 'run', { id: runId }, 'view', 30 * DAY)).status).toBe(201);
    expect((await call('anonymous', 'POST', '/shares', { kind: 'run', target: { id: runId }, expiresInSeconds: 60 })).status).toBe(401);

    // Malformed and unknown codes answer the same 404.
    const malformed = await call('bob', 'POST', '/shares/redeem', { code: 'guess' });
    const unknown = await call('bob', 'POST', '/shares/redeem', { code: `cvs_${'A'.repeat(43)}` });
    expect(malformed).toEqual({ status: 404, body: { error: { code: 'share_code_invalid', message: 'This share code is not valid' } } });
    expect(unknown).toEqual(malformed);
    expect((await call('bob', 'POST', '/shares/redeem', {})).status).toBe(400);

    // Hammering bad codes is throttled per user (after 20 failures), even for a valid code; others are not.
    const valid = await share('alice', 'run', { id: runId }, 'view');
    for (let i = 0; i < 20; i++) expect((await call('mallory', 'POST', '/shares/redeem', { code: `cvs_${String(i).padStart(43, 'x')}` })).status).toBe(404);
    expect(await call('mallory', 'POST', '/shares/redeem', { code: valid.body.code })).toMatchObject({ status: 429, body: { error: { code: 'share_redeem_throttled' } } });
    expect((await call('dave', 'POST', '/shares/redeem', { code: valid.body.code })).status).toBe(200);

    // Revoking: only the owner's own links; again is a no-op.
    const made = await share('alice', 'run', { id: runId }, 'view');
    expect((await call('bob', 'DELETE', `/shares/${made.body.id}`)).status).toBe(404);
    expect((await call('alice', 'DELETE', '/shares/000000000000')).status).toBe(404);
    expect((await call('alice', 'DELETE', '/shares/not-an-id')).status).toBe(404);
    const first = await call('alice', 'DELETE', `/shares/${made.body.id}`);
    const second = await call('alice', 'DELETE', `/shares/${made.body.id}`);
    expect(first.body.status).toBe('revoked');
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
  });

  test('a workspace link grants its scope through shares.access (the workspaces proxy enforces it)', async () => {
    const id = 'ab12cd34ef56';
    const now = new Date().toISOString();
    // A stopped workspace row of alice's (starting one needs Docker; the link only needs the row).
    await srv.store.db
      .insertInto('workspaces')
      .values({ id, owner: 'alice', name: 'w', image: 'img', image_digest: null, profile: 'small', status: 'stopped', container_id: null, volume: 'conveyor-home-alice', network: `conveyor-ws-${id}`, token_hash: null, idle_seconds: 600, run_seconds: 0, created_at: now, started_at: null, stopped_at: now, last_activity_at: null, error: null })
      .execute();
    expect((await share('bob', 'workspace', { id }, 'view')).status).toBe(404);
    expect((await share('alice', 'workspace', { id: 'ffffffffffff' }, 'view')).status).toBe(404);
    expect(await share('alice', 'workspace', { id, layout: '../x' }, 'view')).toMatchObject({ status: 400, body: { error: { code: 'invalid_share_target' } } });
    const view = await share('alice', 'workspace', { id }, 'view');
    const collab = await share('alice', 'workspace', { id, layout: 'analysis' }, 'collaborate');
    expect([view.status, collab.status]).toEqual([201, 201]);
    const access = createShareAccess(srv.store.db).access;
    expect(await access('bob', 'workspace', { id })).toBeNull();
    expect((await call('bob', 'POST', '/shares/redeem', { code: view.body.code })).body).toMatchObject({ kind: 'workspace', target: { id }, scope: 'view' });
    expect(await access('bob', 'workspace', { id })).toBe('view');
    expect((await call('bob', 'POST', '/shares/redeem', { code: collab.body.code })).body).toMatchObject({ target: { id, layout: 'analysis' }, scope: 'collaborate' });
    // The strongest live grant wins; revoking it falls back to the other.
    expect(await access('bob', 'workspace', { id })).toBe('collaborate');
    expect(await access('carol', 'workspace', { id })).toBeNull();
    expect((await call('alice', 'DELETE', `/shares/${collab.body.id}`)).status).toBe(200);
    expect(await access('bob', 'workspace', { id })).toBe('view');
    expect((await call('alice', 'DELETE', `/shares/${view.body.id}`)).status).toBe(200);
    expect(await access('bob', 'workspace', { id })).toBeNull();
  });
});
