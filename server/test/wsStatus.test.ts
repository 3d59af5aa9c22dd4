import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import Docker from 'dockerode';
import WebSocket from 'ws';
import { DockerRuntime } from '../src/runtime/docker';
import { tempDir } from './helpers/env';
import { SECRET, startTestServer, type TestServer } from './helpers/server';

/** A unix-socket pass-through to the real engine that the test can cut and restore. */
class EngineProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly path: string) {}

  start(): Promise<void> {
    this.server = createServer(client => {
      const upstream = netConnect('/var/run/docker.sock');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise(resolve => this.server!.listen(this.path, resolve));
  }

  stop(): Promise<void> {
    for (const s of this.sockets) {
      s.destroy();
    }
    return new Promise(resolve => this.server!.close(() => resolve()));
  }
}

describe('websocket status events follow the engine', () => {
  const dir = tempDir('proxy');
  const proxy = new EngineProxy(`${dir.path}/docker.sock`);
  let t: TestServer;

  beforeAll(async () => {
    await proxy.start();
    const runtime = new DockerRuntime(new Docker({ socketPath: proxy.path }));
    t = await startTestServer({ mode: 'embedded', statusPollMs: 100 }, { runtime });
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop().catch(() => undefined);
    dir.cleanup();
  });

  test('a status event arrives when the engine goes away and another when it comes back', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/conveyor/api/v1/ws`, { headers: { 'X-Conveyor-Secret': SECRET } });
    const states: string[] = [];
    let notify: () => void = () => undefined;
    ws.on('message', data => {
      const event = JSON.parse(String(data));
      if (event.type === 'status') {
        states.push(event.status.docker.state);
        notify();
      }
    });
    const next = (count: number) =>
      new Promise<void>(resolve => {
        notify = () => states.length >= count && resolve();
        notify();
      });

    await next(1);
    expect(states).toEqual(['running']);
    await proxy.stop();
    await next(2);
    expect(states).toEqual(['running', 'unavailable']);
    await proxy.start();
    await next(3);
    expect(states).toEqual(['running', 'unavailable', 'running']);
    ws.close();
  });
});
