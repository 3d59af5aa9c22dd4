import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The identity of a file's content as the file system sees it: unchanged key ⇒ unchanged bytes. */
export function statKey(st: { dev: bigint; ino: bigint; mtimeNs: bigint; size: bigint }): string {
  return `${st.dev}:${st.ino}:${st.mtimeNs}:${st.size}`;
}

const MAX_ENTRIES = 2_000_000;

/**
 * md5 by (dev, inode, mtime_ns, size), kept in one file next to the store and loaded once, so
 * re-adding an unchanged tree reads no file content. Saved atomically (temp + rename) after an
 * add; a lost or damaged cache only costs re-hashing.
 */
export class HashCache {
  private map = new Map<string, string>();
  private loaded = false;
  private dirty = false;

  constructor(private readonly file: string) {}

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    try {
      const text = await fs.readFile(this.file, 'utf8');
      for (const line of text.split('\n')) {
        const sp = line.indexOf(' ');
        if (sp === 32) this.map.set(line.slice(sp + 1), line.slice(0, 32));
      }
    } catch {
      // no cache yet, or unreadable: start empty
    }
  }

  async get(key: string): Promise<string | undefined> {
    await this.load();
    return this.map.get(key);
  }

  /** `get` for many keys at once (one load, no promise per key). */
  async getMany(keys: string[]): Promise<(string | undefined)[]> {
    await this.load();
    return keys.map(k => this.map.get(k));
  }

  async set(key: string, md5: string): Promise<void> {
    await this.load();
    if (this.map.get(key) === md5) return;
    this.map.delete(key);
    this.map.set(key, md5);
    this.dirty = true;
    if (this.map.size > MAX_ENTRIES) this.map.delete(this.map.keys().next().value as string);
  }

  /** `set` once the cache is loaded (after `get`/`getMany`). */
  setSync(key: string, md5: string): void {
    if (this.map.get(key) === md5) return;
    this.map.delete(key);
    this.map.set(key, md5);
    this.dirty = true;
    if (this.map.size > MAX_ENTRIES) this.map.delete(this.map.keys().next().value as string);
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const lines: string[] = [];
    for (const [k, v] of this.map) lines.push(`${v} ${k}`);
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.mkdir(dirname(this.file), { recursive: true });
    try {
      await fs.writeFile(temp, lines.join('\n'));
      await fs.rename(temp, this.file);
    } catch {
      await fs.rm(temp, { force: true });
      this.dirty = true;
    }
  }
}
