import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { ServerStatus } from '../../../schema/generated/api';
import { ConnectionModel } from '../../core/connection';
import { StatusView } from '../view';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');

function makeStatus(overrides: Partial<ServerStatus> = {}): ServerStatus {
  return {
    server: { version: '0.1.0', apiVersion: 'v1', mode: 'embedded', startedAt: '2025-01-01T00:00:00Z', node: 'v20.20.0' },
    user: { name: 'ada', admin: false },
    store: { kind: 'sqlite', location: '/data/conveyor.db', schemaVersion: 3 },
    docker: { state: 'running', version: '20.10.24', containersRunning: 1, images: 5 },
    capacity: { cpus: 4, memoryBytes: 16 * 1024 ** 3, gpus: [], source: 'docker' },
    ...overrides
  };
}

let container: HTMLElement;
let root: Root;
let model: ConnectionModel;
let answers: Array<ServerStatus | Error>;

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  answers = [];
  model = new ConnectionModel({
    requestAPI: async () => {
      const next = answers.shift();
      if (!next || next instanceof Error) {
        throw next ?? new Error('no answer');
      }
      return next;
    },
    serverSettings: ServerConnection.makeSettings(),
    frontendVersion: '0.1.0',
    autoStart: false,
    standby: 'never',
    websocket: false
  });
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  model.dispose();
});

async function show(answer: ServerStatus | Error): Promise<void> {
  answers.push(answer);
  await act(() => model.refresh());
  act(() => root.render(<StatusView model={model} trans={trans} />));
}

const text = (id: string) =>
  container.querySelector(`[data-testid="conveyor-status-${id}"]`)?.textContent;

describe('StatusView', () => {
  it('shows the live figures the model holds', async () => {
    await show(makeStatus());
    expect(text('state')).toBe('Connected');
    expect(text('server-version')).toBe('0.1.0');
    expect(text('docker')).toBe('running v20.10.24');
    expect(text('containers')).toBe('1 running');
    expect(text('images')).toBe('5');
    expect(text('cpus')).toBe('4');
    expect(text('memory')).toBe('16.0 GiB');
    expect(text('gpus')).toBe('none');
    expect(text('store')).toBe('SQLite');
    expect(text('schema-version')).toBe('v3');
    expect(container.querySelector('[data-testid="conveyor-version-warning"]')).toBeNull();
  });

  it("shows Disconnected with the server's message", async () => {
    await show(new Error('The Conveyor companion is not running'));
    expect(text('state')).toBe('Disconnected');
    expect(container.querySelector('[data-testid="conveyor-status-error"]')?.textContent).toBe(
      'Disconnected: The Conveyor companion is not running'
    );
  });

  it('warns when the extension and the server versions differ', async () => {
    await show(makeStatus({ server: { ...makeStatus().server, version: '0.2.0' } }));
    const warning = container.querySelector('[role="alert"]');
    expect(warning?.textContent).toContain('Extension 0.1.0 and server 0.2.0 differ');
  });

  it('explains why Docker is unavailable', async () => {
    await show(makeStatus({ docker: { state: 'unavailable', error: 'connect ENOENT /var/run/docker.sock' } }));
    expect(text('docker')).toBe('unavailable: connect ENOENT /var/run/docker.sock');
  });
});
