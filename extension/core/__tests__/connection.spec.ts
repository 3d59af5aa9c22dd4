import { ServerConnection } from '@jupyterlab/services';

import type { ServerStatus } from '../../../schema/generated/api';
import { ConnectionModel, ConnectionState } from '../connection';

function makeStatus(version = '0.1.0'): ServerStatus {
  return {
    server: { version, apiVersion: 'v1', mode: 'embedded', startedAt: '2025-01-01T00:00:00Z', node: 'v20.20.0' },
    user: { name: 'ada', admin: true },
    store: { kind: 'sqlite', location: '/data/conveyor.db', schemaVersion: 1 },
    docker: { state: 'running', version: '20.10.24' },
    capacity: { cpus: 2, memoryBytes: 8 * 1024 ** 3, gpus: [], source: 'docker' }
  };
}

/** A fake API whose next answers the test queues. */
function fakeAPI() {
  const answers: Array<ServerStatus | Error> = [];
  const calls: string[] = [];
  const requestAPI = async (path: string) => {
    calls.push(path);
    const next = answers.shift();
    if (next === undefined) {
      throw new Error('no answer queued');
    }
    if (next instanceof Error) {
      throw next;
    }
    return next;
  };
  return { answers, calls, requestAPI };
}

class FakeSocket {
  static instances: FakeSocket[] = [];
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((msg: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  send(event: unknown) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

function settings(token = '') {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/lab-base/',
    wsUrl: 'ws://localhost:8888/lab-base/',
    token,
    appendToken: true,
    WebSocket: FakeSocket as unknown as typeof WebSocket
  });
}

const models: ConnectionModel[] = [];
function makeModel(
  api: ReturnType<typeof fakeAPI>,
  options: Partial<ConnectionModel.IOptions> = {}
): ConnectionModel {
  const model = new ConnectionModel({
    requestAPI: api.requestAPI,
    serverSettings: settings(),
    frontendVersion: '0.1.0',
    autoStart: false,
    standby: 'never',
    websocket: false,
    ...options
  });
  models.push(model);
  return model;
}

afterEach(() => {
  models.splice(0).forEach(model => model.dispose());
  FakeSocket.instances = [];
  jest.useRealTimers();
});

describe('ConnectionModel', () => {
  it('starts connecting and becomes connected with the status the server reports', async () => {
    const api = fakeAPI();
    const model = makeModel(api);
    expect(model.state).toBe('connecting');
    expect(model.status).toBeNull();
    expect(model.versionMismatch).toBe(false);

    api.answers.push(makeStatus('0.1.0'));
    await model.refresh();

    expect(api.calls).toEqual(['status']);
    expect(model.state).toBe('connected');
    expect(model.status?.capacity.cpus).toBe(2);
    expect(model.serverVersion).toBe('0.1.0');
    expect(model.versionMismatch).toBe(false);
    expect(model.error).toBeNull();
    expect(model.lastUpdated).toBeInstanceOf(Date);
  });

  it('flags a version mismatch when the server comes from another release', async () => {
    const api = fakeAPI();
    const model = makeModel(api);
    api.answers.push(makeStatus('0.2.0'));
    await model.refresh();
    expect(model.state).toBe('connected');
    expect(model.versionMismatch).toBe(true);
    expect(model.serverVersion).toBe('0.2.0');
  });

  it('ignores a leading "v" when comparing versions', async () => {
    const api = fakeAPI();
    const model = makeModel(api, { frontendVersion: 'v0.1.0' });
    api.answers.push(makeStatus('0.1.0'));
    await model.refresh();
    expect(model.versionMismatch).toBe(false);
  });

  it("becomes disconnected with the server's message and keeps the last known status", async () => {
    const api = fakeAPI();
    const model = makeModel(api);
    api.answers.push(makeStatus());
    await model.refresh();

    api.answers.push(new Error('The Conveyor companion is not running'));
    await model.refresh();

    expect(model.state).toBe('disconnected');
    expect(model.error).toBe('The Conveyor companion is not running');
    expect(model.status?.server.version).toBe('0.1.0');
  });

  it('shows connecting while retrying, then connected again, emitting changed for each step', async () => {
    const api = fakeAPI();
    const model = makeModel(api);
    api.answers.push(new Error('502 Bad Gateway'));
    await model.refresh();
    expect(model.state).toBe('disconnected');

    const seen: ConnectionState[] = [];
    model.changed.connect(() => seen.push(model.state));
    api.answers.push(makeStatus());
    await model.refresh();

    expect(seen).toEqual(['connecting', 'connected']);
    expect(model.error).toBeNull();
  });

  it('updates the pollInterval it polls with', () => {
    const model = makeModel(fakeAPI(), { pollInterval: 10_000 });
    expect(model.pollInterval).toBe(10_000);
    model.pollInterval = 3_000;
    expect(model.pollInterval).toBe(3_000);
  });
});

describe('ConnectionModel websocket', () => {
  it("opens <wsUrl>/conveyor/api/v1/ws with the token, like JupyterLab's own sockets", () => {
    makeModel(fakeAPI(), { websocket: true, serverSettings: settings('s3cr3t') });
    expect(FakeSocket.instances.map(s => s.url)).toEqual([
      'ws://localhost:8888/lab-base/conveyor/api/v1/ws?token=s3cr3t'
    ]);
  });

  it('adds no token query parameter when the settings carry no token', () => {
    makeModel(fakeAPI(), { websocket: true, serverSettings: settings('') });
    expect(FakeSocket.instances[0].url).toBe('ws://localhost:8888/lab-base/conveyor/api/v1/ws');
  });

  it('applies status events without polling', () => {
    const api = fakeAPI();
    const model = makeModel(api, { websocket: true });
    const socket = FakeSocket.instances[0];
    socket.open();
    expect(model.live).toBe(true);

    socket.send({ type: 'status', status: makeStatus('0.3.0') });

    expect(api.calls).toEqual([]);
    expect(model.state).toBe('connected');
    expect(model.serverVersion).toBe('0.3.0');
    expect(model.versionMismatch).toBe(true);
  });

  it('reconnects after the socket closes, backing off 1 s, 2 s, 4 s and resetting once open', () => {
    jest.useFakeTimers();
    makeModel(fakeAPI(), { websocket: true });
    const count = () => FakeSocket.instances.length;

    FakeSocket.instances[0].drop();
    jest.advanceTimersByTime(999);
    expect(count()).toBe(1);
    jest.advanceTimersByTime(1);
    expect(count()).toBe(2);

    FakeSocket.instances[1].drop();
    jest.advanceTimersByTime(1999);
    expect(count()).toBe(2);
    jest.advanceTimersByTime(1);
    expect(count()).toBe(3);

    FakeSocket.instances[2].drop();
    jest.advanceTimersByTime(4000);
    expect(count()).toBe(4);

    FakeSocket.instances[3].open();
    FakeSocket.instances[3].drop();
    jest.advanceTimersByTime(1000);
    expect(count()).toBe(5);
  });

  it('closes the socket and stops reconnecting once disposed', () => {
    jest.useFakeTimers();
    const model = makeModel(fakeAPI(), { websocket: true });
    const socket = FakeSocket.instances[0];
    model.dispose();
    expect(model.isDisposed).toBe(true);
    expect(socket.closed).toBe(true);
    jest.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});

describe('ConnectionModel websocket channel', () => {
  it('re-emits server events, sends only while open and signals every (re)open', () => {
    jest.useFakeTimers();
    const model = makeModel(fakeAPI(), { websocket: true });
    const events: unknown[] = [];
    let opened = 0;
    model.events.connect((_, event) => events.push(event));
    model.socketOpened.connect(() => opened++);
    const message = { type: 'subscribe-logs' as const, runId: 'r1', step: 'main', from: 0 };

    expect(model.send(message)).toBe(false);
    const socket = FakeSocket.instances[0];
    const sent: string[] = [];
    (socket as any).send = (data: string) => sent.push(data);
    socket.open();
    expect(opened).toBe(1);
    expect(model.send(message)).toBe(true);
    expect(JSON.parse(sent[0])).toEqual(message);

    socket.onmessage?.({
      data: JSON.stringify({ type: 'run', runId: 'r1', status: 'running' })
    });
    expect(events).toEqual([{ type: 'run', runId: 'r1', status: 'running' }]);

    socket.drop();
    expect(model.send(message)).toBe(false);
    jest.advanceTimersByTime(ConnectionModel.MAX_RECONNECT_DELAY);
    FakeSocket.instances[FakeSocket.instances.length - 1].open();
    expect(opened).toBe(2);
  });
});
