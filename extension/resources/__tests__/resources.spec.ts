import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import type { ServerEvent, ServerStatus } from '../../../schema/generated/api';
import { alertText, notifyBudgetAlerts } from '../alerts';
import { usageGeometry } from '../chart';
import { ResourcesModel } from '../model';
import { readResources, readUsage } from '../view';

const trans = nullTranslator.load('jupyterlab_conveyor');

class NotFound extends Error {
  response = { status: 404 };
}

describe('readResources', () => {
  it('reads capacity, reservations, the queue in position order and the users seen', () => {
    const view = readResources({
      capacity: { cpus: 8, memoryBytes: 16e9, gpus: ['0'] },
      reserved: { cpus: 2, memoryBytes: 4e9, gpus: ['0'] },
      running: [],
      queue: [
        { position: 2, runId: 'r2', step: 's', owner: 'bob', priority: 'normal', reason: 'quota', message: '' },
        { position: 1, runId: 'r1', step: 'train', owner: 'ada', priority: 'normal', reason: 'capacity', message: 'needs 8 CPUs' }
      ],
      quotas: [],
      budgets: [{ scope: 'user', name: 'cy', period: '2026-11', limit: 50, spent: 10, fraction: 0.2 }]
    });
    expect(view.capacity).toEqual([
      { kind: 'cpus', used: 2, total: 8 },
      { kind: 'memory', used: 4e9, total: 16e9 },
      { kind: 'gpus', used: 1, total: 1 }
    ]);
    expect(view.queue.map(q => q.runId)).toEqual(['r1', 'r2']);
    expect(view.users).toEqual(['ada', 'bob', 'cy']);
  });

  it('shows no meters when the engine is unavailable', () => {
    const view = readResources({
      capacity: null,
      reserved: { cpus: 0, memoryBytes: 0, gpus: [] },
      running: [],
      queue: [],
      quotas: [],
      budgets: []
    });
    expect(view.capacity).toEqual([]);
  });
});

describe('readUsage', () => {
  it('keeps the days in order', () => {
    expect(
      readUsage({
        from: '2026-11-01',
        to: '2026-11-03',
        total: 3,
        days: [
          { day: '2026-11-03', cost: 1, seconds: 10 },
          { day: '2026-11-01', cost: 2, seconds: 20 }
        ]
      })
    ).toEqual([
      { day: '2026-11-01', cost: 2 },
      { day: '2026-11-03', cost: 1 }
    ]);
  });
});

describe('usageGeometry', () => {
  it('scales bars and the running total to the budget when it is larger', () => {
    const g = usageGeometry(
      [
        { day: '2026-11-01', cost: 10 },
        { day: '2026-11-02', cost: 10 }
      ],
      40,
      { width: 100, height: 40 }
    );
    expect(g.max).toBe(40);
    expect(g.bars.map(b => b.height)).toEqual([10, 10]);
    expect(g.budgetY).toBe(0);
    // Running total 10 then 20 of 40: y = 30 then 20.
    expect(g.line).toBe('M25.0,30.0 L75.0,20.0');
  });
});

describe('budget alerts', () => {
  it('words an 80% alert of the user budget with the amounts', () => {
    const text = alertText(
      {
        type: 'alert',
        scope: 'user',
        name: 'ada',
        period: '2026-11',
        threshold: 0.8,
        spent: 40,
        limit: 50,
        message: ''
      },
      trans
    );
    expect(text).toBe('You have used 80% of your monthly budget ($40.00 of $50.00).');
  });
});

describe('ResourcesModel', () => {
  let model: ResourcesModel;
  afterEach(() => model?.dispose());

  const status = {
    capacity: { cpus: 4, memoryBytes: 8e9, gpus: [], source: 'engine' }
  } as unknown as ServerStatus;

  it('falls back to the engine capacity when /resources is not served', async () => {
    const events = new Signal<unknown, ServerEvent>({});
    const requestAPI = async <T>(path: string): Promise<T> => {
      if (path.startsWith('profiles')) {
        return [] as T;
      }
      throw new NotFound('not found');
    };
    model = new ResourcesModel({ requestAPI, connection: { events, status }, autoStart: false });
    await model.refresh();
    expect(model.error).toBeNull();
    expect(model.view?.fromResources).toBe(false);
    expect(model.view?.capacity[0]).toEqual({ kind: 'cpus', used: 0, total: 4 });
  });

  it('asks for the chosen user and this month, and emits a chosen profile', async () => {
    const calls: string[] = [];
    const requestAPI = async <T>(path: string): Promise<T> => {
      calls.push(path);
      return (path.startsWith('profiles') ? [] : { days: [], total: 0 }) as T;
    };
    model = new ResourcesModel({
      requestAPI,
      autoStart: false,
      now: () => new Date('2026-11-22T10:00:00Z')
    });
    const picked: string[] = [];
    model.profileChanged.connect((_, name) => picked.push(name));
    model.profile = 'large';
    model.restoreProfile('small');
    expect(picked).toEqual(['large']);
    expect(model.profile).toBe('small');
    model.user = 'bob';
    await model.refresh();
    const usage = calls.filter(c => c.startsWith('usage?')).pop()!;
    const query = new URLSearchParams(usage.split('?')[1]);
    expect(query.get('user')).toBe('bob');
    expect(query.get('from')).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('notifyBudgetAlerts', () => {
  afterEach(() => jest.restoreAllMocks());

  it('warns once per threshold and turns 100% into an error', () => {
    const warning = jest.spyOn(Notification, 'warning').mockReturnValue('w');
    const error = jest.spyOn(Notification, 'error').mockReturnValue('e');
    const events = new Signal<unknown, ServerEvent>({});
    const stop = notifyBudgetAlerts(events, trans, () => undefined);
    const alert = (threshold: number): ServerEvent => ({
      type: 'alert',
      scope: 'user',
      name: 'ada',
      period: '2026-11',
      threshold,
      spent: threshold * 50,
      limit: 50,
      message: ''
    });
    events.emit(alert(0.8));
    events.emit(alert(0.8));
    events.emit(alert(1));
    expect(warning).toHaveBeenCalledTimes(1);
    expect(warning.mock.calls[0][0]).toContain('80%');
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toContain('100%');
    stop();
    events.emit(alert(0.5));
    expect(warning).toHaveBeenCalledTimes(1);
  });
});
