import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Copy `src` to `dest` (a temp file in the store) while hashing it: one read of the source. */
export interface CopyTask {
  op: 'copy';
  src: string;
  dest: string;
  /** fsync the copy before answering (single objects); batches sync the file system once instead. */
  fsync: boolean;
}

/** Only hash `src` (verifying an object). */
export interface HashTask {
  op: 'hash';
  src: string;
}

export type PoolTask = CopyTask | HashTask;

/** Several small tasks in one message (less messaging per file). */
interface BatchTask {
  op: 'batch';
  tasks: PoolTask[];
}

export interface PoolResult {
  md5: string;
  bytes: number;
}

/**
 * The worker, as plain JavaScript evaluated by worker_threads (no separate bundle entry): it
 * reads in 1 MiB blocks, hashes and writes each block, and reports md5 and byte count. Errors
 * carry the errno code (ENOSPC, ENOENT, EACCES) so the caller can answer a clear error.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(1 << 20);
function one(task) {
  let fd = -1, out = -1;
  try {
    const hash = createHash('md5');
    fd = fs.openSync(task.src, 'r');
    if (task.op === 'copy') out = fs.openSync(task.dest, 'wx', 0o444);
    let bytes = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      hash.update(chunk);
      if (out >= 0) {
        let off = 0;
        while (off < n) off += fs.writeSync(out, chunk, off, n - off);
      }
      bytes += n;
    }
    if (out >= 0 && task.fsync) fs.fsyncSync(out);
    return { ok: true, md5: hash.digest('hex'), bytes };
  } catch (e) {
    return { ok: false, code: e && e.code, message: String(e && e.message) };
  } finally {
    if (fd >= 0) try { fs.closeSync(fd); } catch {}
    if (out >= 0) try { fs.closeSync(out); } catch {}
  }
}
parentPort.on('message', ({ id, task }) => {
  if (task.op === 'batch') parentPort.postMessage({ id, ok: true, results: task.tasks.map(one) });
  else parentPort.postMessage({ id, ...one(task) });
});
`;

export class PoolError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string
  ) {
    super(message);
  }
}

interface Pending {
  resolve(r: unknown): void;
  reject(e: Error): void;
}

interface WorkerAnswer {
  id: number;
  ok: boolean;
  md5: string;
  bytes: number;
  code?: string;
  message?: string;
  results?: WorkerAnswer[];
}

/** A fixed pool of hashing workers, one per core; tasks queue in order. */
export class HashPool {
  private workers: { worker: Worker; busy: number | null }[] = [];
  private queue: { id: number; task: PoolTask | BatchTask }[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(readonly size = Math.max(1, availableParallelism())) {}

  run(task: PoolTask): Promise<PoolResult> {
    return this.enqueue(task) as Promise<PoolResult>;
  }

  /** Runs small tasks as one message; each answer is its result or its PoolError. */
  async runBatch(tasks: PoolTask[]): Promise<(PoolResult | PoolError)[]> {
    const r = (await this.enqueue({ op: 'batch', tasks })) as unknown as { results: WorkerAnswer[] };
    return r.results.map(a => (a.ok ? { md5: a.md5, bytes: a.bytes } : new PoolError(a.code, a.message ?? 'hashing failed')));
  }

  private enqueue(task: PoolTask | BatchTask): Promise<unknown> {
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, task });
      this.pump();
    });
  }

  private spawn(): { worker: Worker; busy: number | null } {
    const slot = {
      worker: new Worker(WORKER_SOURCE, { eval: true }),
      busy: null as number | null
    };
    slot.worker.unref();
    slot.worker.on('message', (m: WorkerAnswer) => {
      slot.busy = null;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.results ? { results: m.results } : { md5: m.md5, bytes: m.bytes });
      else p?.reject(new PoolError(m.code, m.message ?? 'hashing failed'));
      this.pump();
    });
    slot.worker.on('error', err => {
      const id = slot.busy;
      this.workers = this.workers.filter(w => w !== slot);
      if (id !== null) {
        this.pending.get(id)?.reject(err);
        this.pending.delete(id);
      }
      this.pump();
    });
    this.workers.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.workers.find(w => w.busy === null);
      if (!slot && this.workers.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = job.id;
      slot.worker.ref();
      slot.worker.postMessage(job);
    }
    for (const w of this.workers) if (w.busy === null) w.worker.unref();
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map(w => w.worker.terminate()));
  }
}
