import { posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import type { ArtifactStore } from '../artifacts/store';
import { PathNotFound, type Container } from '../runtime/runtime';

interface Entry {
  name: string;
  type: string;
  mode: number;
  data: Buffer;
  linkname?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  }
  return Buffer.concat(chunks);
}

/** Reads every entry of a tar (the engine's archive of one path) into memory. */
async function entriesOf(tar: NodeJS.ReadableStream): Promise<Entry[]> {
  const extract = tarExtract();
  const entries: Entry[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      entries.push({ name: h.name, type: h.type ?? 'file', mode: h.mode ?? 0o644, linkname: h.linkname ?? undefined, data: await readAll(entry as unknown as NodeJS.ReadableStream) });
    }
  })();
  (tar as Readable).pipe(extract);
  await done;
  return entries;
}

/**
 * A folder as a deterministic tar: entries sorted by path, relative to the folder, no owners or
 * times, so equal folders get equal hashes.
 */
async function canonicalTar(entries: Entry[], root: string): Promise<Buffer> {
  const pack = tarPack();
  const out = readAll(pack.pipe(new PassThrough()));
  const prefix = `${root}/`;
  const sorted = entries
    .filter(e => e.name !== root && e.name !== prefix)
    .map(e => ({ ...e, name: (e.name.startsWith(prefix) ? e.name.slice(prefix.length) : e.name).replace(/\/+$/, '') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) {
    const header = { name: e.name, mode: e.mode & 0o7777, mtime: new Date(0), uid: 0, gid: 0 };
    if (e.type === 'directory') {
      pack.entry({ ...header, type: 'directory' });
    } else if (e.type === 'symlink') {
      pack.entry({ ...header, type: 'symlink', linkname: e.linkname });
    } else if (e.type === 'file') {
      pack.entry({ ...header, size: e.data.length }, e.data);
    }
  }
  pack.finalize();
  return out;
}

/** One file's bytes from the container, or null when the path does not exist. */
export async function readFileFrom(container: Container, path: string): Promise<Buffer | null> {
  let tar: NodeJS.ReadableStream;
  try {
    tar = await container.getArchive(path);
  } catch (err) {
    if (err instanceof PathNotFound) {
      return null;
    }
    throw err;
  }
  const entries = await entriesOf(tar);
  const file = entries.find(e => e.type === 'file');
  return file ? file.data : null;
}

/**
 * Copies `path` out of the container into the artifact store: a file as its bytes, a folder as
 * a deterministic tar of its content (see canonicalTar). Null when the path does not exist.
 */
export async function captureOutput(
  container: Container,
  path: string,
  artifacts: ArtifactStore
): Promise<{ hash: string; size: number; kind: 'file' | 'directory' } | null> {
  let tar: NodeJS.ReadableStream;
  try {
    tar = await container.getArchive(path);
  } catch (err) {
    if (err instanceof PathNotFound) {
      return null;
    }
    throw err;
  }
  const entries = await entriesOf(tar);
  const top = entries[0];
  if (!top) {
    return null;
  }
  if (top.type === 'directory') {
    const root = top.name.replace(/\/+$/, '') || posix.basename(path);
    const stored = await artifacts.put(await canonicalTar(entries, root));
    return { ...stored, kind: 'directory' };
  }
  const file = entries.find(e => e.type === 'file');
  if (!file) {
    return null;
  }
  return { ...(await artifacts.put(file.data)), kind: 'file' };
}
