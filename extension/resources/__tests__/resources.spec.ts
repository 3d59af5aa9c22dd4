import { Signal } from '@lumino/signaling';
import { nullTranslator } from '@jupyterlab/translation';

import type { ServerEvent, ServerStatus } from '../../../schema/generated/api';
import { alertText, readAlert } from '../alerts';
import { usageGeometry } from '../chart';
import { ResourcesModel } from '../model';
import { readResources, readUsage } from '../view';

const trans = nullTranslator.load('jupyterlab_conveyor');

class NotFound extends Error {
  response = { status: 404 };
}

describe('readResources', () => {
  it('reads capacity, reservations, the queue and the budget', () => {
    const view = readResources({
      capacity: { cpus: 8, memoryBytes: 16e9, gpus: [{ id: '0' }] },
      reserved: { cpus: 2, memoryBytes: 4e9, gpus: 1 },
      queue: [{ position: 1, runId: 'r1', step: 'train', owner: 'ada', reason: 'cpus' }],
      usage: { cost: 12.5 },
      budget: { limit: 50, currency: 'USD' }
    });
    expect(view.capacity).toEqual([
      { kind: 'cpus', used: 2, total: 8 },
      { kind: 'memory', used: 4e9, total: 16e9 },
      { kind: 'gpus', used: 1, total: 1 }
    ]);
    expect(view.queue[0]).toMatchObject({ position: 1, runId: 'r1', reason: 'cpus' });
    expect(view.usage).toEqual({ cost: 12.5, budget: 50, currency: 'USD' });
  });

  it('numbers queue entries by order when positions are missing', () => {
    const view = readResources({ capacity: {}, queue: [{ runId: 'a' }, { runId: 'b' }] });
    expect(view.queue.map(q => q.position)).toEqual([1, 2]);
    expect(view.usage).toBeNull();
  });
});

describe('readUsage', () => {
  it('sums cost per day and sorts the days', () => {
    expect(
      readUsage({
        points: [
          { day: '2026-11-03', cost: 1 },
          { day: '2026-11-01T10:00:00Z', cost: 2 },
          { day: '2026-11-01T12:00:00Z', cost: 0.5 }
        ]
      })
    ).toEqual([
      { day: '2026-11-01', cost: 2.5 },
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
  it('words an 80% alert with the amounts', () => {
    const alert = readAlert({ type: 'alert', threshold: 0.8, used: 40, limit: 50 });
    expect(alert?.percent).toBe(80);
    expect(alertText(alert!, trans)).toBe(
      'You have used 80% of your monthly budget ($40.00 of $50.00).'
    );
  });

  it('ignores other events', () => {
    expect(readAlert({ type: 'run', runId: 'x', status: 'running' })).toBeNull();
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
      return (path.startsWith('profiles') ? [] : { capacity: {} }) as T;
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
    expect(calls).toContain('resources?user=bob');
  });
});
