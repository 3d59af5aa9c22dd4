import { ServerConnection } from '@jupyterlab/services';

import { ConveyorAPIError } from '../../core/api';
import { LineSplitter, parseTags, registerVersion, suggestName } from '../register';
import { cellText } from '../preview';
import { sampleCell, sampleColumns, schemaChanges } from '../tablediff';

const VERSION = {
  id: 'aaaaaaaaaaaa',
  dataset: 'ada/data',
  owner: 'ada',
  name: 'data',
  kind: 'files',
  md5: `${'0'.repeat(32)}.dir`,
  message: '',
  author: 'ada',
  parents: [],
  tags: [],
  createdAt: '2026-01-01T00:00:00Z',
  files: 2,
  bytes: 10,
  blinded: false,
  sourcePath: 'data'
};

/** Server settings whose fetch answers `chunks` as a streamed body, recording the request. */
function streaming(chunks: string[], init: { status?: number; type?: string } = {}) {
  const seen: Request[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    seen.push(input as Request);
    // A narrow stand-in for a streamed Response (jsdom has no ReadableStream).
    const encoder = new TextEncoder();
    const queue = chunks.map(c => encoder.encode(c));
    const reader = {
      read: async () => (queue.length ? { done: false, value: queue.shift() } : { done: true, value: undefined })
    };
    const status = init.status ?? 200;
    return {
      ok: status < 400,
      status,
      statusText: '',
      headers: new Headers({ 'Content-Type': init.type ?? 'application/x-ndjson' }),
      body: { getReader: () => reader },
      text: async () => chunks.join('')
    } as unknown as Response;
  };
  const settings = ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/', wsUrl: 'ws://localhost:8888/', token: 't', fetch });
  return { settings, seen };
}

const line = (o: unknown) => `${JSON.stringify(o)}\n`;

describe('registerVersion', () => {
  it('posts to datasets/versions asking for NDJSON, reports progress lines split across chunks, and resolves with the version', async () => {
    const progress = line({ type: 'progress', files: 1, bytes: 5, totalFiles: 2, totalBytes: 10 });
    const { settings, seen } = streaming([
      progress.slice(0, 7),
      progress.slice(7) + line({ type: 'progress', files: 2, bytes: 10, totalFiles: 2, totalBytes: 10 }).trimEnd(),
      '\n' + line({ type: 'done', version: VERSION })
    ]);
    const events: number[] = [];
    const version = await registerVersion({ name: 'data', path: 'data', tags: ['v1'] }, e => events.push(e.files), settings);
    expect(version.id).toBe('aaaaaaaaaaaa');
    expect(events).toEqual([1, 2]);
    expect(seen[0].url.split('?')[0]).toBe('http://localhost:8888/conveyor/api/v1/datasets/versions');
    expect(seen[0].method).toBe('POST');
    expect(seen[0].headers.get('Accept')).toBe('application/x-ndjson');
    expect(await seen[0].json()).toEqual({ name: 'data', path: 'data', tags: ['v1'] });
  });

  it("rejects with the server's message and code when the stream reports an error", async () => {
    const { settings } = streaming([
      line({ type: 'progress', files: 0, bytes: 0, totalFiles: 2, totalBytes: 10 }),
      line({ type: 'error', error: { code: 'disk_full', message: 'No space left on the store' } })
    ]);
    const error = await registerVersion({ name: 'data', path: 'data' }, () => undefined, settings).catch(e => e);
    expect(error).toBeInstanceOf(ConveyorAPIError);
    expect(error.message).toBe('No space left on the store');
    expect(error.code).toBe('disk_full');
  });

  it("rejects with the server's message for a refused request (e.g. a path outside the workspace)", async () => {
    const body = JSON.stringify({ error: { code: 'path_outside_workspace', message: 'Path ../x is outside the workspace' } });
    const { settings } = streaming([body], { status: 400, type: 'application/json' });
    const error = await registerVersion({ name: 'data', path: '../x' }, () => undefined, settings).catch(e => e);
    expect(error.message).toBe('Path ../x is outside the workspace');
    expect(error.code).toBe('path_outside_workspace');
  });

  it('rejects when the stream ends without a version', async () => {
    const { settings } = streaming([line({ type: 'progress', files: 0, bytes: 0, totalFiles: 1, totalBytes: 1 })]);
    await expect(registerVersion({ name: 'data', path: 'data' }, () => undefined, settings)).rejects.toThrow(
      'without a version'
    );
  });
});

describe('LineSplitter', () => {
  it('keeps a partial line until its end arrives and skips blank lines', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"a":1}\n\n{"b"')).toEqual([{ a: 1 }]);
    expect(splitter.push(':2}')).toEqual([]);
    expect(splitter.end()).toEqual([{ b: 2 }]);
  });
});

describe('register form helpers', () => {
  it('suggests a dataset name from the path and splits tags', () => {
    expect(suggestName('projects/churn data/train.csv')).toBe('train');
    expect(suggestName('data/raw images/')).toBe('raw-images');
    expect(parseTags(' prod, v3  prod ')).toEqual(['prod', 'v3']);
    expect(parseTags('  ')).toEqual([]);
  });
});

describe('table diff helpers', () => {
  it('describes schema changes and shows before → after only in changed columns', () => {
    expect(
      schemaChanges({ added: [{ name: 'c', type: 'INTEGER' }], removed: [], retyped: [{ name: 'b', from: 'INTEGER', to: 'DOUBLE' }] })
    ).toEqual(['+ c: INTEGER', '~ b: INTEGER → DOUBLE']);
    const changed = { kind: 'changed' as const, position: 3, columns: ['b'], before: { a: 1, b: 2 }, after: { a: 1, b: 5 } };
    expect(sampleCell(changed, 'b')).toEqual({ text: '2 → 5', changed: true });
    expect(sampleCell(changed, 'a')).toEqual({ text: '1', changed: false });
    expect(sampleCell({ kind: 'added', position: 0, row: { a: null } }, 'a')).toEqual({ text: '', changed: false });
    // A changed row carries its key apart from the changed columns.
    const keyed = { kind: 'changed' as const, position: 0, key: { id: 7 }, columns: ['b'], before: { b: 1 }, after: { b: 2 } };
    expect(sampleColumns([keyed])).toEqual(['id', 'b']);
    expect(sampleCell(keyed, 'id')).toEqual({ text: '7', changed: false });
    expect(cellText(2.3333333333333335)).toBe('2.33333');
    expect(cellText(0.55)).toBe('0.55');
  });
});
