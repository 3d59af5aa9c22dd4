import { ContainerGone, type StepJob } from '../../src/executor/executor';
import { DockerRuntime } from '../../src/runtime/docker';
import type { Container, LogLine, Runtime } from '../../src/runtime/runtime';
import { tempDir } from '../helpers/env';
import { containerGone, docker, job, makeExecutor, python } from './helpers';

const dir = tempDir('reattach');
afterAll(() => dir.cleanup());

const hang = new Promise<never>(() => undefined);

/**
 * A runtime whose containers the executor "forgets" as a crashed server would: after the first
 * `keepLines` lines the log stream and the exit wait never answer, and remove does nothing.
 */
function crashingRuntime(keepLines: number): Runtime {
  const real = new DockerRuntime(docker);
  return Object.assign(Object.create(real) as Runtime, {
    async create(spec: Parameters<Runtime['create']>[0]): Promise<Container> {
      const c = await real.create(spec);
      return Object.assign(Object.create(c) as Container, {
        id: c.id,
        async attach(): Promise<AsyncIterable<LogLine>> {
          const lines = await c.attach();
          return (async function* () {
            let n = 0;
            for await (const line of lines) {
              if (n++ >= keepLines) {
                await hang;
              }
              yield line;
            }
          })();
        },
        waitNextExit: () => hang,
        remove: async () => undefined
      });
    }
  });
}

const counting = 'import time\nfor i in range(12):\n    print("line", i, flush=True)\n    time.sleep(0.25)\nopen("done.txt", "w").write("done")';

async function crashAfterLines(j: StepJob, lines: number): Promise<string> {
  const crashed = makeExecutor(dir.path, crashingRuntime(lines));
  const id = await new Promise<string>((resolve, reject) => {
    crashed.executor.run(j, new AbortController().signal, resolve).catch(reject);
  });
  // Wait until the lines before the "crash" are in the log file.
  while (crashed.logs.count(j.runId, j.step, j.attempt) < lines) {
    await new Promise(r => setTimeout(r, 50));
  }
  return id;
}

describe('StepExecutor.reattach after a server crash', () => {
  test('follows a running container and a finished one to the same outcome with complete logs', async () => {
    const running = job({ command: python(counting), outputs: ['done.txt'] });
    const finished = job({ command: python(counting), outputs: ['done.txt'] });
    const [runningId, finishedId] = await Promise.all([crashAfterLines(running, 3), crashAfterLines(finished, 3)]);
    // A restarted server: new stores on the same data dir, a fresh runtime.
    const restarted = makeExecutor(dir.path);
    expect((await restarted.runtime.get(runningId))?.running).toBe(true);
    const following = restarted.executor.reattach(runningId, running, new AbortController().signal);
    // Let the second one exit while nobody watches.
    await docker.getContainer(finishedId).wait();
    expect((await restarted.runtime.get(finishedId))?.status).toBe('exited');
    const [a, b] = await Promise.all([following, restarted.executor.reattach(finishedId, finished, new AbortController().signal)]);
    const expected = Array.from({ length: 12 }, (_, i) => `line ${i}`);
    for (const [outcome, j] of [[a, running], [b, finished]] as const) {
      expect(outcome).toMatchObject({ status: 'succeeded', exitCode: 0, outputs: [{ name: 'done.txt', size: 4 }] });
      expect(outcome.imageDigest).toMatch(/^sha256:/);
      expect(restarted.logs.read(j.runId, j.step, j.attempt, 0).lines).toEqual(expected);
      expect(await containerGone(outcome.containerId)).toBe(true);
    }
  });

  test('a reattached step can still be cancelled, and a vanished container is ContainerGone', async () => {
    const j = job({ command: python('import time\nprint("up", flush=True)\ntime.sleep(60)') });
    const id = await crashAfterLines(j, 1);
    const restarted = makeExecutor(dir.path);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const outcome = await restarted.executor.reattach(id, j, controller.signal);
    expect(outcome).toMatchObject({ status: 'cancelled' });
    expect(await containerGone(id)).toBe(true);
    await expect(restarted.executor.reattach(id, j, new AbortController().signal)).rejects.toBeInstanceOf(ContainerGone);
  });
});
