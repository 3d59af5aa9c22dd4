import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { cpus, totalmem } from 'node:os';
import { validatorFor } from '../src/core/schemas';
import { DockerRuntime } from '../src/runtime/docker';
import { json, secretHeaders, startTestServer, type TestServer } from './helpers/server';

const validStatus = validatorFor('status.json');

function dockerInfo(format: string): string {
  return execFileSync('docker', ['info', '--format', format], { encoding: 'utf8' }).trim();
}

describe('GET /status with the Docker engine running', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ mode: 'embedded' });
  });
  afterAll(async () => t.close());

  test('reports the engine running, with the capacity docker info reports', async () => {
    const res = await fetch(`${t.url}/status`, { headers: secretHeaders('alice') });
    expect(res.status).toBe(200);
    const status = await json(res);
    expect(validStatus(status)).toBe(true);
    expect(status.docker.state).toBe('running');
    expect(status.docker.version).toBe(dockerInfo('{{.ServerVersion}}'));
    expect(status.docker.apiVersion).toMatch(/^\d+\.\d+$/);
    expect(status.capacity.source).toBe('docker');
    expect(status.capacity.cpus).toBe(Number(dockerInfo('{{.NCPU}}')));
    expect(status.capacity.memoryBytes).toBe(Number(dockerInfo('{{.MemTotal}}')));
    expect(status.capacity.gpus).toEqual([]);
  });

  test('reports the server version, mode and the store without credentials', async () => {
    const status = await json(await fetch(`${t.url}/status`, { headers: secretHeaders('alice') }));
    expect(status.server).toMatchObject({ version: require('../package.json').version, apiVersion: 'v1', mode: 'embedded' });
    expect(status.server.node).toBe(process.versions.node);
    expect(status.store).toEqual({ kind: 'sqlite', location: t.store.location, schemaVersion: t.store.schemaVersion });
  });
});

describe('GET /status with the Docker engine unreachable', () => {
  let t: TestServer;
  const saved = process.env.DOCKER_HOST;
  beforeAll(async () => {
    process.env.DOCKER_HOST = 'unix:///tmp/conveyor-no-such-docker.sock';
    // dockerode reads DOCKER_HOST when the client is made.
    t = await startTestServer({ mode: 'embedded' }, { runtime: new DockerRuntime(new Docker()) });
  });
  afterAll(async () => {
    if (saved === undefined) {
      delete process.env.DOCKER_HOST;
    } else {
      process.env.DOCKER_HOST = saved;
    }
    await t.close();
  });

  test('answers 200 with state unavailable, the reason, and host capacity', async () => {
    const res = await fetch(`${t.url}/status`, { headers: secretHeaders('alice') });
    expect(res.status).toBe(200);
    const status = await json(res);
    expect(validStatus(status)).toBe(true);
    expect(status.docker.state).toBe('unavailable');
    expect(status.docker.error).toContain('conveyor-no-such-docker.sock');
    expect(status.capacity).toEqual({ cpus: cpus().length, memoryBytes: totalmem(), gpus: [], source: 'host' });
  });
});
