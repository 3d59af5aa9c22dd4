import { EventEmitter } from 'node:events';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors';

/** One checkpoint (byte offset of a line start) every this many lines. */
const CHECKPOINT_EVERY = 256;
const DEFAULT_MAX = 1000;
const READ_CHUNK = 64 * 1024;

interface FileIndex {
  /** Lines in the file. */
  count: number;
  /** Bytes in the file. */
  size: number;
  /** checkpoints[k] = byte offset of line k * CHECKPOINT_EVERY. */
  checkpoints: number[];
}

function checkName(kind: string, value: string): string {
  if (!value || value.includes('/') || value.includes('\\') || value.includes('\0') || value.startsWith('.')) {
    throw AppError.invalid(`invalid ${kind} for a log file: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Per-attempt log files, `<dataDir>/logs/<runId>/<step>.<attempt>.log`, one line per entry,
 * append-only. A small index per file (line count, size, a byte offset every 256 lines) makes
 * `read(from)` cost O(lines read); it is rebuilt by scanning the file after a restart.
 */
export class LogStore {
  private readonly root: string;
  private readonly indexes = new Map<string, FileIndex>();
  private readonly events = new EventEmitter();

  constructor(opts: { dataDir: string }) {
    this.root = join(opts.dataDir, 'logs');
    this.events.setMaxListeners(0);
  }

  /** The file of one attempt. */
  path(runId: string, step: string, attempt: number): string {
    if (!Number.isInteger(attempt) || attempt < 0) {
      throw AppError.invalid(`invalid attempt ${attempt}`);
    }
    return join(this.root, checkName('run id', runId), `${checkName('step', step)}.${attempt}.log`);
  }

  /** Appends lines (newlines inside a line are replaced by spaces) and tells subscribers. */
  append(runId: string, step: string, attempt: number, lines: string[]): void {
    if (lines.length === 0) {
      return;
    }
    const file = this.path(runId, step, attempt);
    const index = this.index(file);
    const clean = lines.map(l => l.replace(/\r?\n/g, ' '));
    const data = Buffer.from(clean.join('\n') + '\n', 'utf8');
    mkdirSync(join(this.root, runId), { recursive: true });
    appendFileSync(file, data);
    const from = index.count;
    let offset = index.size;
    for (const line of clean) {
      if (index.count % CHECKPOINT_EVERY === 0) {
        index.checkpoints.push(offset);
      }
      index.count += 1;
      offset += Buffer.byteLength(line, 'utf8') + 1;
    }
    index.size = offset;
    this.events.emit(this.key(runId, step), attempt, from, clean);
  }

  /** Lines [from, from + max) and the line number to read next. */
  read(runId: string, step: string, attempt: number, from: number, max = DEFAULT_MAX): { lines: string[]; next: number } {
    const file = this.path(runId, step, attempt);
    const index = this.index(file);
    const start = Math.max(0, Math.min(Math.floor(from), index.count));
    const wanted = Math.max(0, Math.min(Math.floor(max), index.count - start));
    if (wanted === 0) {
      return { lines: [], next: start };
    }
    const checkpoint = Math.floor(start / CHECKPOINT_EVERY);
    let line = checkpoint * CHECKPOINT_EVERY;
    let position = index.checkpoints[checkpoint];
    const lines: string[] = [];
    const fd = openSync(file, 'r');
    try {
      let carry = Buffer.alloc(0);
      const chunk = Buffer.alloc(READ_CHUNK);
      while (lines.length < wanted && position < index.size) {
        const n = readSync(fd, chunk, 0, Math.min(READ_CHUNK, index.size - position), position);
        if (n <= 0) {
          break;
        }
        position += n;
        let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
        let nl: number;
        while (lines.length < wanted && (nl = buf.indexOf(10)) >= 0) {
          if (line >= start) {
            lines.push(buf.subarray(0, nl).toString('utf8'));
          }
          line += 1;
          buf = buf.subarray(nl + 1);
        }
        carry = Buffer.from(buf);
      }
    } finally {
      closeSync(fd);
    }
    return { lines, next: start + lines.length };
  }

  /** Lines in an attempt's file (0 when there is none). */
  count(runId: string, step: string, attempt: number): number {
    return this.index(this.path(runId, step, attempt)).count;
  }

  /** Attempts of a step that have a log file, ascending. */
  attempts(runId: string, step: string): number[] {
    const dir = join(this.root, checkName('run id', runId));
    if (!existsSync(dir)) {
      return [];
    }
    const prefix = `${checkName('step', step)}.`;
    return readdirSync(dir)
      .filter(f => f.startsWith(prefix) && f.endsWith('.log'))
      .map(f => Number(f.slice(prefix.length, -4)))
      .filter(n => Number.isInteger(n) && n >= 0)
      .sort((a, b) => a - b);
  }

  /** Calls fn with every batch appended to any attempt of the step; returns the unsubscribe. */
  subscribe(runId: string, step: string, fn: (attempt: number, from: number, lines: string[]) => void): () => void {
    const key = this.key(runId, step);
    this.events.on(key, fn);
    return () => this.events.off(key, fn);
  }

  /** Drops the in-memory index of a finished attempt (it is rebuilt on the next read). */
  release(runId: string, step: string, attempt: number): void {
    this.indexes.delete(this.path(runId, step, attempt));
  }

  private key(runId: string, step: string): string {
    return `${runId}\0${step}`;
  }

  private index(file: string): FileIndex {
    let index = this.indexes.get(file);
    if (!index) {
      index = existsSync(file) ? scan(file) : { count: 0, size: 0, checkpoints: [] };
      this.indexes.set(file, index);
    }
    return index;
  }
}

/** Builds the index of an existing file; a last line cut by a crash mid-write is ended with a newline. */
function scan(file: string): FileIndex {
  const index: FileIndex = { count: 0, size: 0, checkpoints: [] };
  const total = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(READ_CHUNK);
    let position = 0;
    let lineStart = 0;
    while (position < total) {
      const n = readSync(fd, chunk, 0, Math.min(READ_CHUNK, total - position), position);
      if (n <= 0) {
        break;
      }
      for (let i = 0; i < n; i++) {
        if (chunk[i] === 10) {
          if (index.count % CHECKPOINT_EVERY === 0) {
            index.checkpoints.push(lineStart);
          }
          index.count += 1;
          lineStart = position + i + 1;
        }
      }
      position += n;
    }
    index.size = lineStart;
  } finally {
    closeSync(fd);
  }
  if (index.size < total) {
    appendFileSync(file, '\n');
    if (index.count % CHECKPOINT_EVERY === 0) {
      index.checkpoints.push(index.size);
    }
    index.count += 1;
    index.size = total + 1;
  }
  return index;
}
