import type { DatasetDetail, DatasetList, DatasetVersion } from '../types';
import { datasetReference, normalizeLineage } from '../api';
import { DatasetsModel, tagsOf } from '../model';
import { DiffModel, VersionModel } from '../viewmodels';

const version = (id: string, createdAt: string, extra: Partial<DatasetVersion> = {}): DatasetVersion => ({
  id,
  dataset: 'ada/churn data',
  owner: 'ada',
  name: 'churn data',
  kind: 'files',
  md5: `${'0'.repeat(32)}.dir`,
  message: '',
  author: 'ada',
  parents: [],
  tags: [],
  createdAt,
  files: 2,
  bytes: 10,
  blinded: false,
  sourcePath: 'data',
  ...extra
});

const summary = (owner: string, name: string): DatasetList['datasets'][number] => ({
  owner,
  name,
  description: '',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  versionCount: 2,
  latest: null,
  tags: {},
  sharedWith: []
});

/** An error as requestAPI throws it: the server's message and the HTTP status. */
function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { response: { status } });
}

/**
 * A fake datasets API: answers GET /datasets, GET /datasets/:owner/:name, and records every
 * call (path and init). `answers` overrides a path's answer (a value, or an Error to throw).
 */
function fakeAPI(answers: Record<string, unknown> = {}) {
  const calls: { path: string; init?: RequestInit }[] = [];
  const datasets = [summary('bob', 'shared'), summary('ada', 'churn data')];
  const detail: DatasetDetail = {
    dataset: datasets[1],
    // Oldest first on purpose: the model sorts newest first.
    versions: [version('aaaaaaaaaaaa', '2026-01-01T00:00:00Z'), version('bbbbbbbbbbbb', '2026-01-02T00:00:00Z')]
  };
  const fetch = jest.fn(async (path: string, init?: RequestInit): Promise<any> => {
    calls.push({ path, init });
    if (path in answers) {
      const answer = answers[path];
      if (answer instanceof Error) {
        throw answer;
      }
      return answer;
    }
    if (path === 'datasets') {
      return { datasets } satisfies DatasetList;
    }
    if (path === 'datasets/ada/churn%20data') {
      return detail;
    }
    if (init?.method === 'PUT' || init?.method === 'DELETE') {
      return undefined;
    }
    throw httpError(404, `No route ${path}`);
  });
  return { fetch: fetch as any, calls, datasets, detail };
}

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

describe('DatasetsModel', () => {
  it('lists datasets by owner/name and loads the versions of an expanded one, newest first (names URL-encoded)', async () => {
    const api = fakeAPI();
    const model = new DatasetsModel({ requestAPI: api.fetch, autoStart: false });
    await model.refresh();
    expect(model.datasets.map(d => `${d.owner}/${d.name}`)).toEqual(['ada/churn data', 'bob/shared']);
    expect(api.calls.map(c => c.path)).toEqual(['datasets']);
    model.toggle({ owner: 'ada', name: 'churn data' });
    await tick();
    expect(api.calls.map(c => c.path)).toEqual(['datasets', 'datasets/ada/churn%20data']);
    expect(model.versions('ada/churn data').detail?.versions.map(v => v.id)).toEqual(['bbbbbbbbbbbb', 'aaaaaaaaaaaa']);
    // A refresh reloads the expanded dataset's versions too.
    await model.refresh();
    expect(api.calls.filter(c => c.path === 'datasets/ada/churn%20data')).toHaveLength(2);
    model.dispose();
  });

  it("keeps the server's message when the list or a dataset fails to load", async () => {
    const api = fakeAPI({ 'datasets/ada/churn%20data': httpError(404, 'No dataset ada/churn data') });
    const model = new DatasetsModel({ requestAPI: api.fetch, autoStart: false });
    await model.refresh();
    model.toggle({ owner: 'ada', name: 'churn data' });
    await tick();
    expect(model.versions('ada/churn data').error).toBe('No dataset ada/churn data');
    const failing = new DatasetsModel({
      requestAPI: fakeAPI({ datasets: httpError(500, 'store unavailable') }).fetch,
      autoStart: false
    });
    await failing.refresh();
    expect(failing.error).toBe('store unavailable');
    model.dispose();
    failing.dispose();
  });

  it('picks at most two versions of one dataset for a diff and orders them older → newer', async () => {
    const api = fakeAPI();
    const model = new DatasetsModel({ requestAPI: api.fetch, autoStart: false });
    await model.reveal({ owner: 'ada', name: 'churn data' });
    model.togglePick('ada/churn data', 'bbbbbbbbbbbb');
    expect(model.diffPair()).toBeNull();
    model.togglePick('ada/churn data', 'aaaaaaaaaaaa');
    expect(model.diffPair()).toEqual({ dataset: 'ada/churn data', from: 'aaaaaaaaaaaa', to: 'bbbbbbbbbbbb' });
    // A version of another dataset starts over.
    model.togglePick('bob/shared', 'cccccccccccc');
    expect(model.diffPicks).toEqual([{ dataset: 'bob/shared', version: 'cccccccccccc' }]);
    model.togglePick('bob/shared', 'cccccccccccc');
    expect(model.diffPicks).toEqual([]);
    model.dispose();
  });

  it('drops picks of versions that are gone after a reload', async () => {
    const api = fakeAPI();
    const model = new DatasetsModel({ requestAPI: api.fetch, autoStart: false });
    await model.reveal({ owner: 'ada', name: 'churn data' });
    model.togglePick('ada/churn data', 'aaaaaaaaaaaa');
    model.togglePick('ada/churn data', 'dddddddddddd');
    await model.refresh();
    expect(model.diffPicks).toEqual([{ dataset: 'ada/churn data', version: 'aaaaaaaaaaaa' }]);
    model.dispose();
  });

  it('tags a version with PUT …/tags/:tag {version} and reloads the dataset', async () => {
    const api = fakeAPI();
    const model = new DatasetsModel({ requestAPI: api.fetch, autoStart: false });
    await model.refresh();
    await model.tag({ owner: 'ada', name: 'churn data' }, 'aaaaaaaaaaaa', 'prod/v1');
    const put = api.calls.find(c => c.init?.method === 'PUT')!;
    expect(put.path).toBe('datasets/ada/churn%20data/tags/prod%2Fv1');
    expect(JSON.parse(put.init!.body as string)).toEqual({ version: 'aaaaaaaaaaaa' });
    expect(api.calls[api.calls.length - 1].path).toBe('datasets/ada/churn%20data');
    model.dispose();
  });
});

describe('tagsOf', () => {
  it("reads a version's own tags, else the dataset's tag map", () => {
    const v = version('aaaaaaaaaaaa', '2026-01-01T00:00:00Z');
    const detail = { dataset: { ...summary('ada', 'x'), tags: { prod: 'aaaaaaaaaaaa', v2: 'bbbbbbbbbbbb', a: 'aaaaaaaaaaaa' } }, versions: [] };
    expect(tagsOf(v, detail)).toEqual(['a', 'prod']);
    expect(tagsOf({ ...v, tags: ['z', 'b'] }, detail)).toEqual(['b', 'z']);
  });
});

describe('datasetReference', () => {
  it("writes name@ref for the caller's own dataset and owner/name@ref for another's", () => {
    expect(datasetReference({ owner: 'ada', name: 'churn' }, 'prod', 'ada')).toBe('dataset://churn@prod');
    expect(datasetReference({ owner: 'bob', name: 'churn' }, 'aaaaaaaaaaaa', 'ada')).toBe('dataset://bob/churn@aaaaaaaaaaaa');
    expect(datasetReference({ owner: 'ada', name: 'churn' }, 'prod', null)).toBe('dataset://ada/churn@prod');
  });
});

describe('normalizeLineage', () => {
  it('splits lineage entries into the runs that read a version and the runs that produced it', () => {
    const entries = [
      { runId: 'r1', step: 'train', direction: 'input', input: 'data' },
      { runId: 'r2', step: 'prep', direction: 'output', input: 'out' }
    ];
    const expected = {
      readBy: [expect.objectContaining({ runId: 'r1', step: 'train', input: 'data' })],
      producedBy: [expect.objectContaining({ runId: 'r2', step: 'prep' })]
    };
    expect(normalizeLineage({ edges: entries })).toEqual(expected);
    // Edges of other versions of the dataset are left out.
    const other = { version: 'bbbbbbbbbbbb', runId: 'r3', step: 's', direction: 'input', input: '' };
    const tagged = entries.map(e => ({ ...e, version: 'aaaaaaaaaaaa' }));
    expect(normalizeLineage({ edges: [...tagged, other] }, 'aaaaaaaaaaaa')).toEqual(expected);
    expect(normalizeLineage(entries)).toEqual(expected);
    const shaped = { readBy: [{ runId: 'x' }], producedBy: [] };
    expect(normalizeLineage(shaped)).toBe(shaped);
  });
});

describe('VersionModel', () => {
  const id = { owner: 'ada', name: 'churn data' };
  const base = 'datasets/ada/churn%20data/versions/prod';

  it('loads a files version, its manifest and its lineage', async () => {
    const api = fakeAPI({
      [base]: version('aaaaaaaaaaaa', '2026-01-01T00:00:00Z'),
      [`${base}/files`]: { version: 'aaaaaaaaaaaa', prefix: '', files: [{ path: 'a.txt', md5: 'f'.repeat(32), size: 3 }], truncated: false },
      [`${base}/lineage`]: {
        dataset: 'ada/churn data',
        version: 'aaaaaaaaaaaa',
        blinded: false,
        readBy: [{ runId: 'r1', step: 'train', input: 'data', createdAt: '2026-01-03T00:00:00Z' }],
        producedBy: [],
        hiddenRuns: 2
      }
    });
    const model = new VersionModel({ dataset: id, ref: 'prod', requestAPI: api.fetch });
    await model.load();
    expect(model.files.value?.files.map(f => f.path)).toEqual(['a.txt']);
    expect(model.lineage.value?.readBy.map(r => r.runId)).toEqual(['r1']);
    expect(model.lineage.value?.hiddenRuns).toBe(2);
    expect(api.calls.map(c => c.path)).not.toContain(`${base}/preview`);
    model.dispose();
  });

  it('asks a table version for its preview instead of its files', async () => {
    const api = fakeAPI({
      [base]: version('aaaaaaaaaaaa', '2026-01-01T00:00:00Z', { kind: 'table' }),
      [`${base}/preview`]: { schema: [{ name: 'id', type: 'BIGINT' }], rowCount: 1, stats: [], rows: [{ id: 1 }] },
      [`${base}/lineage`]: { readBy: [], producedBy: [], hiddenRuns: 0 }
    });
    const model = new VersionModel({ dataset: id, ref: 'prod', requestAPI: api.fetch });
    await model.load();
    expect(model.preview.value?.rowCount).toBe(1);
    expect(api.calls.map(c => c.path)).not.toContain(`${base}/files`);
    model.dispose();
  });

  it('never asks for the contents of a blinded version, and marks a 403 as forbidden', async () => {
    const api = fakeAPI({
      [base]: version('aaaaaaaaaaaa', '2026-01-01T00:00:00Z', { blinded: true }),
      [`${base}/lineage`]: httpError(403, 'Version aaaaaaaaaaaa is blinded')
    });
    const model = new VersionModel({ dataset: id, ref: 'prod', requestAPI: api.fetch });
    await model.load();
    expect(api.calls.map(c => c.path)).toEqual([base, `${base}/lineage`]);
    expect(model.files.value).toBeNull();
    expect(model.lineage).toEqual({ value: null, loading: false, error: 'Version aaaaaaaaaaaa is blinded', forbidden: true });
    model.dispose();
  });
});

describe('DiffModel', () => {
  it('asks for the diff with both refs in the query, URL-encoded', async () => {
    const diff = { from: 'a', to: 'b', files: { added: [], removed: [], changed: [], unchanged: 2 } };
    const api = fakeAPI({ 'datasets/ada/churn%20data/diff?from=v%201&to=prod': diff });
    const model = new DiffModel({ dataset: { owner: 'ada', name: 'churn data' }, from: 'v 1', to: 'prod', requestAPI: api.fetch });
    await model.load();
    expect(model.diff.value).toEqual(diff);
    expect(model.diff.error).toBeNull();
    model.dispose();
  });
});
