import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_IMAGE } from './env';
import { json } from './server';

const root = join(__dirname, '..', '..');
export const BUNDLE = join(root, 'dist', 'conveyor-server.js');

/** (Re)builds dist/conveyor-server.js, for tests that run the server as a real child process. */
export function buildBundle(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root });
}

/**
 * Starts the built bundle in embedded mode on port 0, so a test can `kill -9` it and start another
 * on the same data dir; resolves with the child and its API URL once it listens.
 */
export function serveBundle(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BUNDLE, 'serve'], {
    env: {
      ...process.env,
      CONVEYOR_MODE: 'embedded',
      CONVEYOR_PORT: '0',
      CONVEYOR_DEFAULT_IMAGE: TEST_IMAGE,
      CONVEYOR_LOG_LEVEL: 'warn',
      ...env
    },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', line => {
      resolve({ child, url: `http://127.0.0.1:${JSON.parse(line).port}/conveyor/api/v1` });
    });
    child.once('exit', code => reject(new Error(`server exited with ${code}`)));
  });
}

/** Polls GET /runs/{id} until `until` holds. */
export async function waitForRun(
  url: string,
  headers: Record<string, string>,
  id: string,
  until: (run: any) => boolean,
  timeoutMs: number
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await json(await fetch(`${url}/runs/${id}`, { headers }));
    if (until(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(run)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}
