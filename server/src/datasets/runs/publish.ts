import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import type { DatasetFromRun, DatasetVersion } from '../../../../schema/generated/api';
import type { RunService } from '../../runs/service';
import type { User } from '../../store/users';
import { ingestPath } from '../ingest';
import type { DatasetsService } from '../service';
import type { DatasetCatalog } from './catalog';

/** Whether the stored output is the executor's deterministic tar of a folder (executor/collect.ts). */
async function isFolderTar(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    // ustar magic, and the executor's canonical headers: mtime 0, uid 0.
    return (
      bytesRead === 512 && head.toString('latin1', 257, 262) === 'ustar' && head.toString('latin1', 136, 147).replace(/[\0 ]/g, '').replace(/^0+/, '') === ''
    );
  } finally {
    await fh.close();
  }
}

async function extractFolder(tar: string, into: string): Promise<void> {
  const extract = tarExtract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const name = posix.normalize(h.name.replace(/\/+$/, ''));
      const stream = entry as unknown as NodeJS.ReadableStream;
      if (h.type !== 'file' || name.startsWith('..') || name.startsWith('/') || name === '.') {
        // Folders come from the file paths; links and anything outside the folder are left out.
        stream.resume();
        continue;
      }
      const target = join(into, name);
      await mkdir(dirname(target), { recursive: true });
      await pipeline(stream, createWriteStream(target));
    }
  })();
  createReadStream(tar).pipe(extract);
  await done;
}

/**
 * Copies a run's output into the object store (hashed on the way, like `conveyor data add`),
 * registers it as a new version of the caller's dataset `name` and records the lineage
 * "produced by run/step/output". Only the run's owner may; sealed steps keep no outputs.
 */
export async function publishFromRun(
  d: { service: DatasetsService; runs: RunService; catalog: DatasetCatalog; tmpDir: string },
  user: User,
  req: DatasetFromRun
): Promise<DatasetVersion> {
  const out = await d.runs.output(user.name, req.runId, req.step, req.output);
  await mkdir(d.tmpDir, { recursive: true });
  const work = await mkdtemp(join(d.tmpDir, 'publish-'));
  try {
    const raw = join(work, 'output');
    await pipeline(out.stream, createWriteStream(raw));
    let abs = raw;
    if (await isFolderTar(raw)) {
      abs = join(work, 'folder');
      await mkdir(abs);
      await extractFolder(raw, abs);
    } else {
      // A file output is a folder holding that one file, so the version keeps its name.
      abs = join(work, 'file');
      await mkdir(abs);
      await pipeline(createReadStream(raw), createWriteStream(join(abs, posix.basename(req.output.replace(/\/+$/, '')) || 'output')));
    }
    const stored = await ingestPath({ abs, workspace: work, store: d.service.deps.objects, cache: d.service.deps.cache });
    // The run produced these bytes: its owner holds them, whatever other version has the same.
    for (const id of (await d.service.manifests.checkTree(stored.md5)).objects) d.service.manifests.recordUpload(user.name, id);
    const { version } = await d.service.add(user, {
      name: req.name,
      md5: stored.md5,
      message: req.message ?? `From run ${req.runId}, step ${req.step}, output ${req.output}`,
      tags: req.tags,
      blinded: req.blinded
    });
    await d.catalog.record({ versionId: version.id, runId: req.runId, step: req.step, direction: 'output', input: req.output });
    return version;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
