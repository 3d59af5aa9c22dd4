import { pack } from 'tar-stream';
import { createOptions } from '../../src/runtime/containerSpec';
import { DockerRuntime } from '../../src/runtime/docker';
import { ImageNotFound, PathNotFound } from '../../src/runtime/runtime';
import { TEST_IMAGE } from '../helpers/env';
import { docker } from './helpers';

const runtime = new DockerRuntime(docker);

describe('DockerRuntime containers for steps', () => {
  test('resource limits: CPUs, memory without extra swap, shm, pids and GPUs pinned by id', () => {
    const opts = createOptions({
      image: TEST_IMAGE,
      cmd: ['true'],
      owner: 'a',
      kind: 'step',
      cpus: 1.5,
      memoryBytes: 512 * 2 ** 20,
      shmBytes: 64 * 2 ** 20,
      pidsLimit: 100,
      gpuDeviceIds: ['GPU-1', 'GPU-3'],
      labels: { 'io.conveyor.run': 'r', 'io.conveyor.step': 's', 'io.conveyor.attempt': '2' }
    });
    expect(opts.HostConfig).toMatchObject({
      NanoCpus: 1.5e9,
      Memory: 512 * 2 ** 20,
      MemorySwap: 512 * 2 ** 20,
      ShmSize: 64 * 2 ** 20,
      PidsLimit: 100,
      DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['GPU-1', 'GPU-3'], Capabilities: [['gpu']] }]
    });
    expect(opts.HostConfig!.DeviceRequests![0]).not.toHaveProperty('Count');
    expect(opts.Labels).toMatchObject({ 'io.conveyor.run': 'r', 'io.conveyor.step': 's', 'io.conveyor.attempt': '2' });
    expect(createOptions({ image: TEST_IMAGE, cmd: [], owner: 'a', kind: 'step' }).HostConfig!.DeviceRequests).toBeUndefined();
  });

  test('imageDigest gives the image id; an unknown image is ImageNotFound', async () => {
    const digest = await runtime.imageDigest(TEST_IMAGE);
    expect(digest.id).toBe((await docker.getImage(TEST_IMAGE).inspect()).Id);
    expect(Array.isArray(digest.repoDigests)).toBe(true);
    await expect(runtime.imageDigest('conveyor/nope:0')).rejects.toBeInstanceOf(ImageNotFound);
    await expect(runtime.create({ image: 'conveyor/nope:0', cmd: ['true'], owner: 'a', kind: 'step' })).rejects.toBeInstanceOf(ImageNotFound);
  });

  test('create, copy in, start, copy out, inspect; stop and remove are idempotent and get() of a removed container is null', async () => {
    const c = await runtime.create({ image: TEST_IMAGE, cmd: ['cat', '/tmp/hello.txt'], owner: 'a', kind: 'step' });
    expect((await runtime.get(c.id))?.status).toBe('created');
    const p = pack();
    p.entry({ name: 'hello.txt' }, 'hi there');
    p.finalize();
    await c.putArchive(p as unknown as NodeJS.ReadableStream, '/tmp');
    const exited = c.waitNextExit();
    await c.start();
    expect(await exited).toBe(0);
    const lines = [];
    for await (const l of await c.logs()) {
      lines.push(l);
    }
    expect(lines).toEqual([{ stream: 'stdout', line: 'hi there' }]);
    const state = await c.inspect();
    expect(state).toMatchObject({ status: 'exited', running: false, exitCode: 0, oomKilled: false, labels: { 'io.conveyor.kind': 'step' } });
    await expect(c.getArchive('/tmp/nothing-here')).rejects.toBeInstanceOf(PathNotFound);
    await c.stop(1);
    await c.remove();
    await c.remove();
    await c.stop(1);
    expect(await runtime.get(c.id)).toBeNull();
    await expect(c.getArchive('/tmp/hello.txt')).rejects.toMatchObject({ name: 'ContainerNotFound' });
  });
});
