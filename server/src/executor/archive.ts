import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import { stringify } from 'yaml';
import type { ArtifactStore } from '../artifacts/store';
import { type StepJob, META_DIR, PARAMS_FILE } from './job';
import { workRelative } from './paths';
import { RUNNER_FILE, RUNNER_PY } from './runner';

const UID = 1000;
const GID = 1000;
/** Entries are named under this folder; the archive is extracted into its parent. */
export const WORK_NAME = 'work';

type Source = { kind: 'buffer'; data: Buffer } | { kind: 'file'; path: string } | { kind: 'artifact'; hash: string };

/** The parameters as a YAML file papermill reads with -f (YAML 1.1, so "no"/"on" stay strings). */
export function paramsYaml(params: Record<string, unknown>): string {
  return stringify(params ?? {}, { version: '1.1' });
}

function entriesOf(job: StepJob): Map<string, Source> {
  const entries = new Map<string, Source>();
  for (const file of job.files) {
    const rel = workRelative(file.path, 'a file path');
    entries.set(rel, typeof file.content === 'string' ? { kind: 'file', path: file.content } : { kind: 'buffer', data: file.content });
  }
  for (const input of job.inputs) {
    entries.set(`inputs/${workRelative(input.name, 'an input name')}`, { kind: 'artifact', hash: input.hash });
  }
  if (job.notebook) {
    entries.set(workRelative(job.notebook.name, 'the notebook name'), { kind: 'buffer', data: job.notebook.content });
    entries.set(PARAMS_FILE, { kind: 'buffer', data: Buffer.from(paramsYaml(job.params)) });
    entries.set(RUNNER_FILE, { kind: 'buffer', data: Buffer.from(RUNNER_PY) });
  } else {
    // Command steps (components among them) read their parameters from the same YAML file.
    entries.set(PARAMS_FILE, { kind: 'buffer', data: Buffer.from(paramsYaml(job.params)) });
  }
  return entries;
}

function parentDirs(paths: Iterable<string>): string[] {
  const dirs = new Set<string>([META_DIR]);
  for (const path of paths) {
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) {
      dirs.add(dir);
    }
  }
  return [...dirs].sort();
}

async function addEntry(pack: Pack, name: string, source: Source, artifacts: ArtifactStore): Promise<void> {
  const header = { name: `${WORK_NAME}/${name}`, uid: UID, gid: GID, mode: 0o644, mtime: new Date() };
  if (source.kind === 'buffer') {
    await new Promise<void>((resolve, reject) => pack.entry({ ...header, size: source.data.length }, source.data, e => (e ? reject(e) : resolve())));
    return;
  }
  const size = source.kind === 'file' ? (await stat(source.path)).size : await artifacts.size(source.hash);
  const input = source.kind === 'file' ? createReadStream(source.path) : artifacts.get(source.hash);
  const entry = pack.entry({ ...header, size });
  await pipeline(input, entry);
}

/**
 * A tar stream of the step's working dir (`work/`, owned by uid 1000): files, inputs under
 * inputs/<name>, the notebook and its params YAML. Extract it into /home/conveyor.
 */
export function buildWorkArchive(job: StepJob, artifacts: ArtifactStore): NodeJS.ReadableStream {
  const entries = entriesOf(job);
  const pack = tarPack();
  const fill = async (): Promise<void> => {
    const dir = { uid: UID, gid: GID, mode: 0o755, type: 'directory' as const, mtime: new Date() };
    pack.entry({ ...dir, name: WORK_NAME });
    // Dataset inputs are volumes mounted at inputs/<name>: their parent is a folder of the step's.
    const mounted = job.datasets?.length ? ['inputs/.'] : [];
    for (const d of parentDirs([...entries.keys(), ...mounted])) {
      pack.entry({ ...dir, name: `${WORK_NAME}/${d}` });
    }
    for (const [name, source] of entries) {
      await addEntry(pack, name, source, artifacts);
    }
    pack.finalize();
  };
  fill().catch(err => pack.destroy(err));
  return pack as unknown as NodeJS.ReadableStream;
}
