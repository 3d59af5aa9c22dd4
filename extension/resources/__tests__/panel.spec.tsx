import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { ResourcesOverview, ServerEvent, ServerStatus } from '../../../schema/generated/api';
import { ResourcesModel } from '../model';
import { ResourcesView } from '../panel';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');

const overview: ResourcesOverview = {
  capacity: { cpus: 8, memoryBytes: 16 * 1024 ** 3, gpus: [] },
  reserved: { cpus: 6, memoryBytes: 4 * 1024 ** 3, gpus: [] },
  running: [],
  queue: [
    {
      position: 1,
      runId: 'run-abcdef12',
      step: 'train',
      owner: 'ada',
      priority: 'normal',
      reason: 'capacity',
      message: 'Waiting for 4 CPUs'
    }
  ],
  quotas: [],
  budgets: [{ scope: 'user', name: 'ada', period: '2026-11', limit: 50, spent: 41, fraction: 0.82 }]
};

let container: HTMLElement;
let root: Root;
let model: ResourcesModel;

beforeEach(async () => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  const requestAPI = async <T,>(path: string): Promise<T> => {
    if (path === 'resources') {
      return overview as T;
    }
    if (path === 'profiles') {
      return [
        { name: 'small', cpus: 1, memory: '2Gi', memoryBytes: 2 ** 31, gpus: 0, pricePerHour: 0.05 }
      ] as T;
    }
    return { from: '2026-11-01', to: '2026-11-02', total: 41, days: [{ day: '2026-11-01', cost: 41, seconds: 1 }] } as T;
  };
  const status = { user: { name: 'ada', admin: true } } as unknown as ServerStatus;
  model = new ResourcesModel({
    requestAPI,
    connection: { events: new Signal<unknown, ServerEvent>({}), status },
    autoStart: false
  });
  await model.refresh();
  await act(async () => {
    root.render(<ResourcesView model={model} trans={trans} onOpenRun={() => undefined} />);
  });
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  model.dispose();
});

describe('ResourcesView', () => {
  it('says reserved and total capacity in words, not only with bars', () => {
    const cpus = container.querySelector('[data-testid="conveyor-capacity-cpus"]')!;
    expect(cpus.textContent).toContain('6 of 8 reserved');
    expect(cpus.querySelector('[role="meter"]')!.getAttribute('aria-valuenow')).toBe('6');
    expect(container.textContent).toContain('4.0 GiB of 16.0 GiB reserved');
  });

  it('lists the queue with position and reason, the budget at 82% and the chart', () => {
    const row = container.querySelector('[data-testid="conveyor-queue-row"]')!;
    expect(row.textContent).toContain('Waiting for 4 CPUs');
    expect(container.querySelector('[data-testid="conveyor-queue-position"]')!.textContent).toBe('1');
    const budget = container.querySelector('[data-testid="conveyor-budget"]')!;
    expect(budget.textContent).toContain('$41.00 of $50.00 (82%)');
    expect(budget.querySelector('.jp-mod-warn')).not.toBeNull();
    expect(budget.querySelectorAll('.jp-Conveyor-budgetMark')).toHaveLength(3);
    expect(container.querySelector('[data-testid="conveyor-usage-chart"]')).not.toBeNull();
  });

  it('gives admins a user selector and checks the chosen profile', async () => {
    expect(container.querySelector('[data-testid="conveyor-usage-user"]')).not.toBeNull();
    const radio = container.querySelector<HTMLInputElement>('input[value="small"]')!;
    expect(radio.checked).toBe(false);
    model.profile = 'small';
    await act(async () => {
      root.render(<ResourcesView model={model} trans={trans} onOpenRun={() => undefined} />);
    });
    expect(radio.checked).toBe(true);
  });
});
