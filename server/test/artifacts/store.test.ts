import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ArtifactStore, CorruptArtifact } from '../../src/artifacts/store';
import { tempDir } from '../helpers/env';

const dir = tempDir('artifacts');
afterAll(() => dir.cleanup());

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Every file under the store, temp files included. */
function allFiles(root: string): string[] {
  return existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter(e => e.isFile()).map(e => join(e.parentPath, e.name)) : [];
}

describe('ArtifactStore', () => {
  test('stores a buffer and a stream under <dataDir>/artifacts/sha256/<2>/<62>, once per content', async () => {
    const store = new ArtifactStore({ dataDir: dir.path });
    const a = await store.put(Buffer.from('hello'));
    const b = await store.put(Readable.from([Buffer.from('hel'), Buffer.from('lo')]));
    expect(a).toEqual({ hash: sha256('hello'), size: 5 });
    expect(b).toEqual(a);
    expect(store.path(a.hash)).toBe(join(dir.path, 'artifacts', 'sha256', a.hash.slice(0, 2), a.hash.slice(2)));
    expect(allFiles(store.root).filter(f => f.includes(a.hash.slice(2)))).toHaveLength(1);
    expect(await store.has(a.hash)).toBe(true);
    expect(await store.has(sha256('other'))).toBe(false);
    expect((await readStream(store.get(a.hash))).toString()).toBe('hello');
    expect((await store.read(a.hash)).toString()).toBe('hello');
  });

  test('a put that fails midway leaves no object and no temp file', async () => {
    const store = new ArtifactStore({ dataDir: join(dir.path, 'failing') });
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        setImmediate(() => this.destroy(new Error('disk went away')));
      }
    });
    await expect(store.put(source)).rejects.toThrow('disk went away');
    expect(allFiles(store.root)).toEqual([]);
    expect(await store.has(sha256(Buffer.alloc(64 * 1024, 1)))).toBe(false);
  });

  test('a corrupt object is detected on read, by stream and by verify, and a put of the content repairs it', async () => {
    const store = new ArtifactStore({ dataDir: dir.path });
    const { hash } = await store.put(Buffer.from('precious data'));
    expect(await store.verify(hash)).toBe(true);
    writeFileSync(store.path(hash), 'tampered data');
    await expect(store.read(hash)).rejects.toBeInstanceOf(CorruptArtifact);
    await expect(readStream(store.get(hash))).rejects.toMatchObject({ code: 'artifact_corrupt' });
    expect(await store.verify(hash)).toBe(false);
    await store.put(Buffer.from('precious data'));
    expect((await store.read(hash)).toString()).toBe('precious data');
  });

  test('unknown and malformed hashes are clear errors', async () => {
    const store = new ArtifactStore({ dataDir: dir.path });
    expect(() => store.get(sha256('never stored'))).toThrow(expect.objectContaining({ status: 404, code: 'artifact_not_found' }));
    expect(() => store.path('../../etc/passwd')).toThrow(expect.objectContaining({ status: 400, code: 'invalid_hash' }));
    expect(await store.has('nope')).toBe(false);
  });
});
