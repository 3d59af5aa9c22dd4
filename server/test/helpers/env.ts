import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The image integration tests run; the real base image unless CONVEYOR_TEST_IMAGE says otherwise. */
export const TEST_IMAGE = process.env.CONVEYOR_TEST_IMAGE || 'conveyor/base:dev';

/** Whether TEST_IMAGE has python3 (the base image) or only a POSIX shell (a busybox stand-in). */
export const IMAGE_HAS_PYTHON = !/busybox/i.test(TEST_IMAGE);

/** A command printing `out` to stdout and `err` to stderr, then exiting with `code`. */
export function printAndExit(out: string, err: string, code: number): string[] {
  return IMAGE_HAS_PYTHON
    ? ['python3', '-c', `import sys; print(${JSON.stringify(out)}); print(${JSON.stringify(err)}, file=sys.stderr); sys.exit(${code})`]
    : ['sh', '-c', `echo '${out}'; echo '${err}' >&2; exit ${code}`];
}

export function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), `conveyor-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The Postgres URL of the Postgres suites. Unset: fail in CI (CI=true), skip locally with a message.
 */
export function postgresUrl(): string | undefined {
  const url = process.env.CONVEYOR_TEST_PG_URL;
  if (!url) {
    if (process.env.CI === 'true' || process.env.CI === '1') {
      throw new Error('CONVEYOR_TEST_PG_URL must be set in CI: the Postgres store suite cannot be skipped');
    }
    process.stderr.write('CONVEYOR_TEST_PG_URL is not set: skipping the Postgres store suite (set it to run it)\n');
  }
  return url;
}
