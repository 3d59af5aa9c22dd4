import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import { DockerRuntime } from '../src/runtime/docker';
import { createOptions } from '../src/runtime/containerSpec';
import type { LogLine, RunSpec, StepNetwork } from '../src/runtime/runtime';
import { StepFirewall } from '../src/runtime/stepFirewall';
import { silentLogger } from '../src/core/logger';
import { StepListener } from '../src/tracking/steps/listener';
import { tempDir, TEST_IMAGE } from './helpers/env';

/**
 * The step network on the real engine: internal, labelled, idempotent; a container on it reaches
 * the step-facing listener on the gateway and nothing else (the main API port, the registry, the
 * default bridge, the outside).
 */
const docker = new Docker();
const runtime = new DockerRuntime(docker);
const NETWORK = `conveyor-steps-test-${process.pid}`;
const logger = silentLogger();
const data = tempDir('steps-net');
let api: Server;
let apiPort: number;
let listener: StepListener;
let gateway: string;
let listenerPort: number;
let network: StepNetwork;
let firewall: StepFirewall;
let firewalled: boolean;
/** A host service listening on all interfaces (what a Jupyter started with --ip=0.0.0.0 is). */
let everywhere: Server;
let everywherePort: number;

async function collect(lines: AsyncIterable<LogLine>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l.line);
  return out;
}

/** Runs a python probe in a step-like container and answers its printed lines. */
async function probe(code: string, extra: Partial<RunSpec> = {}): Promise<string[]> {
  const handle = await runtime.run({ image: TEST_IMAGE, cmd: ['python3', '-c', code], owner: 'alice', kind: 'test', stepNetwork: NETWORK, ...extra });
  try {
    const [lines] = await Promise.all([collect(handle.logs()), handle.wait()]);
    return lines;
  } finally {
    await handle.remove().catch(() => undefined);
  }
}

const CONNECT = `
import socket, sys
for target in sys.argv[1:] if len(sys.argv) > 1 else TARGETS:
    host, port = target.rsplit(':', 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(1.5)
    try:
        s.connect((host, int(port))); print(target, 'open')
    except Exception as e:
        print(target, 'closed')
    finally:
        s.close()
`;

beforeAll(async () => {
  // The main API as the embedded companion binds it: loopback only. (A host service bound to
  // 0.0.0.0 IS reachable at the gateway address: docs/architecture.md, "Step network".)
  api = createServer((_req, res) => res.end('main api'));
  await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve));
  apiPort = (api.address() as AddressInfo).port;
  const net = await runtime.ensureStepNetwork(NETWORK);
  gateway = net.gateway;
  listener = new StepListener({
    logger,
    dataDir: data.path,
    authenticate: async token => (token === 'good-token' ? { owner: 'alice', runUuid: 'a'.repeat(32) } : null),
    user: async name => ({ name, admin: false, createdAt: new Date().toISOString() }) as never,
    mlflow: (req, res) => {
      res.json({ path: req.path });
    }
  });
  listenerPort = await listener.start(gateway);
  network = net;
  firewall = new StepFirewall(logger);
  firewalled = await firewall.allowOnly(net, listenerPort);
  everywhere = createServer((_req, res) => res.end('host service'));
  await new Promise<void>(resolve => everywhere.listen(0, '0.0.0.0', resolve));
  everywherePort = (everywhere.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise(resolve => everywhere?.close(resolve));
  if (network) await firewall?.removeNetwork(network);
  await listener?.close();
  await new Promise(resolve => api?.close(resolve));
  await docker.getNetwork(NETWORK).remove().catch(() => undefined);
  data.cleanup();
});

describe('the step network', () => {
  test('is internal, without inter-container traffic, labelled, and made once', async () => {
    const again = await runtime.ensureStepNetwork(NETWORK);
    const info = await docker.getNetwork(NETWORK).inspect();
    expect(again.id).toBe(info.Id);
    expect(info.Internal).toBe(true);
    expect(info.Labels?.['io.conveyor.managed']).toBe('true');
    expect(info.Options?.['com.docker.network.bridge.enable_icc']).toBe('false');
    const named = await docker.listNetworks({ filters: { name: [NETWORK] } });
    expect(named.filter(n => n.Name === NETWORK)).toHaveLength(1);
  });

  test('a network of that name that is not ours is refused', async () => {
    const name = `${NETWORK}-foreign`;
    await docker.createNetwork({ Name: name, Driver: 'bridge' });
    try {
      await expect(runtime.ensureStepNetwork(name)).rejects.toThrow(/not an internal Conveyor network/);
    } finally {
      await docker.getNetwork(name).remove();
    }
  });

  test('a step container reaches the tracking listener and nothing else', async () => {
    const targets = [
      `${gateway}:${listenerPort}`,
      `${gateway}:${apiPort}`,
      `${gateway}:5000`,
      `127.0.0.1:${apiPort}`,
      `127.0.0.1:5000`,
      `172.17.0.1:${apiPort}`,
      `172.17.0.1:5000`,
      `1.1.1.1:443`
    ];
    const lines = await probe(`TARGETS = ${JSON.stringify(targets)}\n${CONNECT}`);
    expect(lines).toEqual([
      `${gateway}:${listenerPort} open`,
      `${gateway}:${apiPort} closed`,
      `${gateway}:5000 closed`,
      `127.0.0.1:${apiPort} closed`,
      `127.0.0.1:5000 closed`,
      `172.17.0.1:${apiPort} closed`,
      `172.17.0.1:5000 closed`,
      `1.1.1.1:443 closed`
    ]);
  });

  test('a host service listening on all interfaces is closed to steps: the firewall admits only the listener', async () => {
    expect(firewalled).toBe(true);
    const targets = [`${gateway}:${everywherePort}`, `172.17.0.1:${everywherePort}`, `${gateway}:${listenerPort}`];
    const lines = await probe(`TARGETS = ${JSON.stringify(targets)}\n${CONNECT}`);
    expect(lines).toEqual([`${gateway}:${everywherePort} closed`, `172.17.0.1:${everywherePort} closed`, `${gateway}:${listenerPort} open`]);
    // The same service still answers the host itself.
    const res = await fetch(`http://127.0.0.1:${everywherePort}/`);
    expect(await res.text()).toBe('host service');
  });

  test('the listener serves only /conveyor/mlflow, only to a step token, in MLflow error shape', async () => {
    const base = `http://${gateway}:${listenerPort}`;
    const code = `
import json, urllib.request, urllib.error
def call(path, token=None, method='GET', body=None):
    req = urllib.request.Request('${base}' + path, method=method, data=body)
    if token: req.add_header('Authorization', 'Bearer ' + token)
    if body is not None: req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=5) as r: print(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode())
call('/conveyor/mlflow/api/2.0/mlflow/runs/get?run_id=x')
call('/conveyor/mlflow/api/2.0/mlflow/runs/get?run_id=x', 'bad-token')
call('/conveyor/mlflow/api/2.0/mlflow/runs/get?run_id=x', 'good-token')
call('/conveyor/api/v1/runs', 'good-token')
call('/conveyor/mlflow/api/2.0/mlflow/runs/log-batch', 'good-token', 'POST', json.dumps({'run_id': '${'a'.repeat(32)}'}).encode())
call('/conveyor/mlflow/api/2.0/mlflow/runs/log-batch', 'good-token', 'POST', json.dumps({'run_id': '${'b'.repeat(32)}'}).encode())
call('/conveyor/mlflow/api/2.0/mlflow/runs/create', 'good-token', 'POST', json.dumps({'experiment_id': '0'}).encode())
call('/conveyor/mlflow/api/2.0/mlflow/runs/search', 'good-token', 'POST', json.dumps({'experiment_ids': ['0']}).encode())
call('/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts/1/${'b'.repeat(32)}/artifacts/x.txt', 'good-token', 'PUT', b'x')
call('/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts/1/${'a'.repeat(32)}/artifacts/x.txt', 'good-token', 'PUT', b'x')
`;
    const lines = await probe(code);
    const parsed = lines.map(l => {
      const [status, ...rest] = l.split(' ');
      return [Number(status), JSON.parse(rest.join(' '))];
    });
    expect(parsed[0]).toEqual([401, expect.objectContaining({ error_code: 'UNAUTHENTICATED' })]);
    expect(parsed[1]).toEqual([401, expect.objectContaining({ error_code: 'UNAUTHENTICATED' })]);
    expect(parsed[2]).toEqual([200, { path: '/api/2.0/mlflow/runs/get' }]);
    expect(parsed[3]).toEqual([404, expect.objectContaining({ error_code: 'ENDPOINT_NOT_FOUND' })]);
    expect(parsed[4]).toEqual([200, { path: '/api/2.0/mlflow/runs/log-batch' }]);
    expect(parsed[5]).toEqual([403, expect.objectContaining({ error_code: 'PERMISSION_DENIED' })]);
    expect(parsed[6]).toEqual([403, expect.objectContaining({ error_code: 'PERMISSION_DENIED' })]);
    expect(parsed[7]).toEqual([200, { path: '/api/2.0/mlflow/runs/search' }]);
    expect(parsed[8]).toEqual([403, expect.objectContaining({ error_code: 'PERMISSION_DENIED' })]);
    expect(parsed[9][0]).toBe(200);
  });

  test('a step without network access is on the step network only; with it, on the bridge and the step network', async () => {
    const spec = { image: TEST_IMAGE, cmd: ['true'], owner: 'alice', kind: 'test', stepNetwork: NETWORK };
    expect(createOptions(spec).HostConfig?.NetworkMode).toBe(NETWORK);
    expect(createOptions({ ...spec, network: true }).HostConfig?.NetworkMode).toBe('bridge');
    expect(createOptions({ ...spec, stepNetwork: undefined }).HostConfig?.NetworkMode).toBe('none');
    for (const network of [false, true]) {
      const container = await runtime.create({ ...spec, network });
      try {
        const info = await docker.getContainer(container.id).inspect();
        expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual(network ? ['bridge', NETWORK].sort() : [NETWORK]);
      } finally {
        await container.remove();
      }
    }
  });

  test('a step with network access is on the bridge and on the step network', async () => {
    const lines = await probe(`TARGETS = ["${gateway}:${listenerPort}"]\n${CONNECT}`, { network: true });
    expect(lines).toEqual([`${gateway}:${listenerPort} open`]);
  });

  test('the listener keeps its port across restarts (saved in the data dir)', async () => {
    await listener.close();
    listenerPort = await (async () => {
      const port = await listener.start(gateway);
      return port;
    })();
    const again = new StepListener({
      logger,
      dataDir: data.path,
      authenticate: async () => null,
      user: async () => undefined,
      mlflow: (_req, res) => res.end()
    });
    await listener.close();
    const port = await again.start(gateway);
    try {
      expect(port).toBe(listenerPort);
    } finally {
      await again.close();
      listenerPort = await listener.start(gateway);
    }
  });
});
