import { chmodSync, writeFileSync } from 'node:fs';
import Docker from 'dockerode';
import { DockerRuntime } from '../src/runtime/docker';
import { createOptions } from '../src/runtime/containerSpec';
import type { LogLine, RunHandle } from '../src/runtime/runtime';
import { IMAGE_HAS_PYTHON, printAndExit, TEST_IMAGE, tempDir } from './helpers/env';

const docker = new Docker();
const runtime = new DockerRuntime(docker);
const started: RunHandle[] = [];

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of lines) {
    out.push(line);
  }
  return out;
}

beforeAll(async () => {
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    throw new Error(`test image ${TEST_IMAGE} is missing: build it or set CONVEYOR_TEST_IMAGE`);
  }
});

afterAll(async () => {
  await Promise.all(started.map(h => h.remove().catch(() => undefined)));
});

describe('DockerRuntime on the real engine', () => {
  test('a run prints to stdout and stderr, exits 3, and is gone after remove', async () => {
    const handle = await runtime.run({ image: TEST_IMAGE, cmd: printAndExit('to stdout', 'to stderr', 3), owner: 'alice', kind: 'test' });
    started.push(handle);
    const [lines, result] = await Promise.all([collect(handle.logs()), handle.wait()]);
    expect(lines).toEqual(
      expect.arrayContaining([
        { stream: 'stdout', line: 'to stdout' },
        { stream: 'stderr', line: 'to stderr' }
      ])
    );
    expect(result).toEqual({ exitCode: 3, oomKilled: false });
    await handle.remove();
    await expect(docker.getContainer(handle.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  test('every container gets the secure defaults and the conveyor labels', async () => {
    const handle = await runtime.run({
      image: TEST_IMAGE,
      cmd: printAndExit('x', 'y', 0),
      owner: 'bob',
      kind: 'test',
      memoryBytes: 256 * 1024 * 1024,
      cpus: 0.5,
      labels: { 'io.example.run': 'r1' }
    });
    started.push(handle);
    await handle.wait();
    const info = await docker.getContainer(handle.id).inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.Config.User).toBe('1000:1000');
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(5e8);
    expect(info.Config.Labels).toMatchObject({
      'io.conveyor.managed': 'true',
      'io.conveyor.owner': 'bob',
      'io.conveyor.kind': 'test',
      'io.example.run': 'r1'
    });
  });

  test('the process really runs as uid 1000 without network', async () => {
    const cmd = IMAGE_HAS_PYTHON
      ? ['python3', '-c', 'import os, socket; print(os.getuid()); print(sorted(socket.if_nameindex()))']
      : ['sh', '-c', 'id -u; ls /sys/class/net'];
    const handle = await runtime.run({ image: TEST_IMAGE, cmd, owner: 'bob', kind: 'test' });
    started.push(handle);
    const [lines] = await Promise.all([collect(handle.logs()), handle.wait()]);
    const text = lines.map(l => l.line).join('\n');
    expect(lines[0].line).toBe('1000');
    expect(text).toContain('lo');
    expect(text).not.toContain('eth0');
  });

  test('only the workspace directory is mounted', async () => {
    const ws = tempDir('ws');
    // The run is uid 1000: the directory must be readable by it.
    chmodSync(ws.path, 0o755);
    writeFileSync(`${ws.path}/in.txt`, 'from the host\n', { mode: 0o644 });
    try {
      const handle = await runtime.run({
        image: TEST_IMAGE,
        cmd: IMAGE_HAS_PYTHON ? ['python3', '-c', 'print(open("/work/in.txt").read())'] : ['cat', '/work/in.txt'],
        owner: 'bob',
        kind: 'test',
        workspace: { hostPath: ws.path, containerPath: '/work', readOnly: true }
      });
      started.push(handle);
      const [lines, result] = await Promise.all([collect(handle.logs()), handle.wait()]);
      expect(result.exitCode).toBe(0);
      expect(lines[0]).toEqual({ stream: 'stdout', line: 'from the host' });
      const info = await docker.getContainer(handle.id).inspect();
      expect(info.HostConfig.Binds).toEqual([`${ws.path}:/work:ro`]);
    } finally {
      ws.cleanup();
    }
  });

  test('listManaged finds runs by their labels', async () => {
    const marker = `list-me-${process.pid}-${Date.now()}`;
    const handle = await runtime.run({
      image: TEST_IMAGE,
      cmd: printAndExit('a', 'b', 0),
      owner: 'carol',
      kind: 'test',
      labels: { 'io.example.marker': marker }
    });
    started.push(handle);
    await handle.wait();
    const found = await runtime.listManaged({ 'io.example.marker': marker });
    expect(found.map(c => c.id)).toEqual([handle.id]);
    expect(found[0].labels['io.conveyor.owner']).toBe('carol');
    expect((await runtime.listManaged({ 'io.conveyor.owner': 'carol' })).map(c => c.id)).toContain(handle.id);
    expect(await runtime.listManaged({ 'io.example.marker': 'no-such-value' })).toEqual([]);
  });

  test('a run over its memory limit is reported as OOM-killed', async () => {
    const cmd = IMAGE_HAS_PYTHON
      ? ['python3', '-c', 'x = bytearray(256 * 1024 * 1024); print(len(x))']
      : ['sh', '-c', 'exec dd if=/dev/zero of=/dev/null bs=256M count=1'];
    const handle = await runtime.run({ image: TEST_IMAGE, cmd, owner: 'dana', kind: 'test', memoryBytes: 32 * 1024 * 1024 });
    started.push(handle);
    const result = await handle.wait();
    expect(result.oomKilled).toBe(true);
    expect(result.exitCode).not.toBe(0);
  });

  test('root and reserved labels are refused before anything is created', () => {
    expect(() => createOptions({ image: TEST_IMAGE, cmd: [], owner: 'x', kind: 'test', user: '0:0' })).toThrow(/root/);
    expect(() => createOptions({ image: TEST_IMAGE, cmd: [], owner: 'x', kind: 'test', labels: { 'io.conveyor.owner': 'y' } })).toThrow(
      /reserved/
    );
  });

  test('stop ends a long run', async () => {
    const cmd = IMAGE_HAS_PYTHON ? ['python3', '-c', 'import time; time.sleep(60)'] : ['sleep', '60'];
    const handle = await runtime.run({ image: TEST_IMAGE, cmd, owner: 'dana', kind: 'test' });
    started.push(handle);
    await handle.stop(1);
    const result = await handle.wait();
    expect(result.exitCode).not.toBe(0);
  });
});
