import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { IMAGE_HAS_PYTHON, TEST_IMAGE, tempDir } from '../helpers/env';
import { containerGone, docker, job, makeExecutor, notebook, python } from './helpers';

const dir = tempDir('executor');
afterAll(() => dir.cleanup());

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const never = () => new AbortController().signal;

beforeAll(async () => {
  if (!IMAGE_HAS_PYTHON) {
    throw new Error(`the executor suite needs the base image with papermill, not ${TEST_IMAGE}`);
  }
});

async function untar(data: Buffer): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) {
        chunks.push(c as Buffer);
      }
      files[entry.header.name] = entry.header.type === 'directory' ? '<dir>' : Buffer.concat(chunks).toString();
    }
  })();
  Readable.from([data]).pipe(ex);
  await done;
  return files;
}

describe('StepExecutor on the real engine', () => {
  test('a notebook runs with injected parameters, inputs and files, and its outputs are captured by sha256', async () => {
    const { executor, artifacts, logs } = makeExecutor(dir.path);
    const input = await artifacts.put(Buffer.from('from upstream'));
    const hostFile = join(dir.path, 'helper.py');
    writeFileSync(hostFile, 'GREETING = "hello"\n');
    const j = job({
      notebook: {
        name: 'analysis/nb.ipynb',
        content: notebook(
          [
            'alpha = 1\nname = "default"\nflags = []',
            'import helper\nupstream = open("inputs/data.txt").read()\nprint("alpha is", alpha, "name is", name, "flags", flags)',
            'import os\nos.makedirs("results/sub", exist_ok=True)\nopen("result.txt", "w").write(f"{helper.GREETING} {alpha} {name} {upstream}")\nopen("results/a.txt", "w").write("a")\nopen("results/sub/b.txt", "w").write("b")'
          ],
          { 0: ['parameters'] }
        )
      },
      params: { alpha: 7, name: 'no', flags: [1, 'on'] },
      files: [
        { path: 'helper.py', content: hostFile },
        { path: 'config/settings.json', content: Buffer.from('{}') }
      ],
      inputs: [{ name: 'data.txt', hash: input.hash }],
      outputs: ['result.txt', 'results']
    });
    const outcome = await executor.run(j, never());
    expect(outcome).toMatchObject({ status: 'succeeded', exitCode: 0, oomKilled: false, timedOut: false, error: null });
    expect(outcome.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const expected = 'hello 7 no from upstream';
    expect(outcome.outputs[0]).toEqual({ name: 'result.txt', hash: sha256(expected), size: expected.length });
    expect((await artifacts.read(outcome.outputs[0].hash)).toString()).toBe(expected);
    const folder = await untar(await artifacts.read(outcome.outputs[1].hash));
    expect(folder).toEqual({ 'a.txt': 'a', 'sub': '<dir>', 'sub/b.txt': 'b' });

    const executed = JSON.parse((await artifacts.read(outcome.executedNotebook!)).toString());
    const injected = executed.cells.find((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes('injected-parameters'));
    expect(injected.source.join('')).toContain('alpha = 7');
    expect(injected.source.join('')).toContain('name = "no"');
    expect(executed.cells.indexOf(injected)).toBe(1);
    const printed = JSON.stringify(executed.cells[2].outputs);
    expect(printed).toContain("alpha is 7 name is no flags [1, 'on']");

    const { lines } = logs.read(j.runId, j.step, j.attempt, 0);
    expect(lines).toContain("alpha is 7 name is no flags [1, 'on']");
    expect(await containerGone(outcome.containerId)).toBe(true);
  });

  test('failures report the failing cell, exit codes, missing outputs and out-of-memory', async () => {
    const { executor, artifacts } = makeExecutor(dir.path);
    const [raised, exit3, missing, oom] = await Promise.all([
      executor.run(job({ notebook: { name: 'nb.ipynb', content: notebook(['x = 1', 'print("before the error")', 'y = {}\ny["missing"]']) } }), never()),
      executor.run(job({ command: python('import sys; print("bye"); sys.exit(3)') }), never()),
      executor.run(job({ command: python('open("other.txt", "w").write("x")'), outputs: ['model.pkl'] }), never()),
      executor.run(
        job({ command: python('blocks = []\nwhile True: blocks.append(bytearray(8 * 1024 * 1024))'), resources: { memoryBytes: 64 * 1024 * 1024 } }),
        never()
      )
    ]);

    expect(raised).toMatchObject({ status: 'failed', exitCode: 1, oomKilled: false });
    expect(raised.error).toMatchObject({ cellIndex: 2, ename: 'KeyError', evalue: "'missing'", message: "cell 3 raised KeyError: 'missing'" });
    expect(raised.error!.traceback!.join('\n')).toContain('y["missing"]');
    expect(raised.error!.traceback!.join('\n')).not.toContain('\u001b[');
    expect(raised.error!.lastLines!.join('\n')).toContain('before the error');
    const executed = JSON.parse((await artifacts.read(raised.executedNotebook!)).toString());
    expect(JSON.stringify(executed)).toContain('An Exception was encountered');

    expect(exit3).toMatchObject({ status: 'failed', exitCode: 3, executedNotebook: null, error: { message: 'exited with code 3', lastLines: ['bye'] } });
    expect(missing).toMatchObject({ status: 'failed', exitCode: 0, error: { message: "output 'model.pkl' was not written" } });
    expect(oom).toMatchObject({ status: 'failed', oomKilled: true, error: { message: 'out of memory (limit 64 MiB)' } });
  });

  test('a timeout and an abort stop the step and remove its container', async () => {
    const { executor, logs } = makeExecutor(dir.path);
    const sleeper = 'import time\nprint("started", flush=True)\ntime.sleep(60)';
    const controller = new AbortController();
    const started: string[] = [];
    const timedJob = job({ command: python(sleeper), timeoutSeconds: 2 });
    const abortedJob = job({ command: python(sleeper) });
    const t0 = Date.now();
    const [timed, aborted] = await Promise.all([
      executor.run(timedJob, never(), id => started.push(id)),
      executor.run(abortedJob, controller.signal, id => {
        started.push(id);
        setTimeout(() => controller.abort(), 1000);
      })
    ]);
    expect(Date.now() - t0).toBeLessThan(15000);
    expect(timed).toMatchObject({ status: 'failed', timedOut: true, error: { message: 'timed out after 2s' } });
    expect(aborted).toMatchObject({ status: 'cancelled', timedOut: false, error: { message: 'cancelled' } });
    expect(started).toHaveLength(2);
    for (const id of started) {
      expect(await containerGone(id)).toBe(true);
    }
    expect(logs.read(timedJob.runId, 'train', 1, 0).lines).toEqual(['started']);
  });

  test('steps get no network, the secure defaults and the io.conveyor labels', async () => {
    const { executor, logs } = makeExecutor(dir.path);
    let inspected: Awaited<ReturnType<Docker.Container['inspect']>> | undefined;
    const j = job({ command: python('import os; print(sorted(os.listdir("/sys/class/net"))); print(os.getuid(), os.getcwd())') });
    const outcome = await executor.run(j, never(), id => {
      void docker.getContainer(id).inspect().then(info => (inspected = info));
    });
    expect(outcome.status).toBe('succeeded');
    expect(logs.read(j.runId, j.step, 1, 0).lines).toEqual(["['lo']", '1000 /home/conveyor/work']);
    expect(inspected!.Config.Labels).toMatchObject({
      'io.conveyor.managed': 'true',
      'io.conveyor.owner': 'alice',
      'io.conveyor.kind': 'step',
      'io.conveyor.run': j.runId,
      'io.conveyor.step': 'train',
      'io.conveyor.attempt': '1'
    });
    expect(inspected!.HostConfig).toMatchObject({ NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] });
    expect(inspected!.HostConfig.Binds ?? []).toEqual([]);
  });

  test('bad paths and unknown images are refused before a container exists', async () => {
    const { executor } = makeExecutor(dir.path);
    await expect(executor.run(job({ command: ['true'], files: [{ path: '../escape', content: Buffer.from('') }] }), never())).rejects.toMatchObject({
      status: 400,
      code: 'invalid_path'
    });
    await expect(executor.run(job({ command: ['true'], outputs: ['/etc/passwd'] }), never())).rejects.toMatchObject({ code: 'invalid_path' });
    await expect(executor.run(job({ command: ['true'], image: 'conveyor/does-not-exist:1' }), never())).rejects.toMatchObject({
      name: 'ImageNotFound',
      code: 'unknown_image'
    });
  });
});

import type Docker from 'dockerode';
