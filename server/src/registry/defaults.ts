import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Each user's default image for submissions, kept in `<data dir>/image-defaults.json`. */
export class ImageDefaults {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'image-defaults.json');
  }

  private read(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  get(user: string): string | undefined {
    return this.read()[user];
  }

  set(user: string, ref: string): void {
    const all = { ...this.read(), [user]: ref };
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(`${this.path}.tmp`, JSON.stringify(all, null, 2));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
