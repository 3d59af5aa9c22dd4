import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../core/errors";
import type { TableObjectStore } from "./types";

const MD5 = /^[0-9a-f]{32}$/;

export async function md5File(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The smallest `TableObjectStore`: objects at `<root>/files/md5/<2>/<30>` (the DVC 3 remote
 * layout), written as a temp file + fsync + rename, md5-checked on every read. The datasets store
 * implements the same interface over its own object store; this one serves tests and the bench.
 */
export class FsTableObjects implements TableObjectStore {
  constructor(readonly root: string) {}

  tmpDir(): string {
    return join(this.root, "tmp");
  }

  objectPath(md5: string): string {
    if (!MD5.test(md5))
      throw new AppError(400, "invalid_object", `Not an md5: ${md5}`);
    return join(this.root, "files", "md5", md5.slice(0, 2), md5.slice(2));
  }

  async putFile(
    path: string,
  ): Promise<{ md5: string; size: number; created: boolean }> {
    const md5 = await md5File(path);
    const { size } = await stat(path);
    const dest = this.objectPath(md5);
    const exists = await stat(dest).then(
      (s) => s.size === size,
      () => false,
    );
    if (exists) {
      await rm(path, { force: true });
      return { md5, size, created: false };
    }
    await mkdir(join(dest, ".."), { recursive: true });
    await fsyncPath(path);
    const tmp = `${dest}.${randomBytes(6).toString("hex")}.tmp`;
    await rename(path, tmp);
    await rename(tmp, dest);
    return { md5, size, created: true };
  }

  async verifiedPath(md5: string): Promise<string> {
    const path = this.objectPath(md5);
    const actual = await md5File(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT")
        throw new AppError(
          500,
          "object_missing",
          `Stored object ${md5} is missing`,
        );
      throw err;
    });
    if (actual !== md5) {
      throw new AppError(
        500,
        "object_corrupt",
        `Stored object ${md5} is corrupt (its content hashes to ${actual})`,
      );
    }
    return path;
  }
}
