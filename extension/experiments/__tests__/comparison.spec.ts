import { ComparisonModel } from '../comparison';
import { ExperimentListModel } from '../list';

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('ComparisonModel', () => {
  it('fetches each run’s metric history once and assembles the series in run order', async () => {
    const fetch = jest.fn(async (path: string): Promise<any> => ({
      history: [{ step: 0, timestamp: 1, value: path.includes('/a/') ? 1 : 2 }]
    }));
    const model = new ComparisonModel(fetch as any);
    const changed = jest.fn();
    model.changed.connect(changed);
    const runs = [
      { runId: 'a', name: 'A' },
      { runId: 'b', name: 'B' }
    ];
    expect(model.history('loss', runs)).toEqual({ value: [], error: undefined, loading: true });
    await flush();
    const loaded = model.history('loss', runs);
    expect(loaded.loading).toBe(false);
    expect(loaded.value).toEqual([
      { runId: 'a', name: 'A', points: [{ step: 0, value: 1 }] },
      { runId: 'b', name: 'B', points: [{ step: 0, value: 2 }] }
    ]);
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'experiments/runs/a/metrics/loss',
      'experiments/runs/b/metrics/loss'
    ]);
    expect(changed).toHaveBeenCalled();
    model.dispose();
  });

  it('asks for column values with the filter and at most 20 columns, and shows errors', async () => {
    const fetch = jest.fn(async (_path: string, init?: RequestInit): Promise<any> => {
      const body = JSON.parse(String(init?.body));
      if (body.filter === 'bad') {
        throw new Error('Expected a value (at position 3)');
      }
      return { runIds: ['a'], names: ['A'], columns: {} };
    });
    const model = new ComparisonModel(fetch as any);
    const columns = Array.from({ length: 25 }, (_, i) => `params.p${i}`);
    model.values(['1'], '', columns);
    await flush();
    const body = JSON.parse(String(fetch.mock.calls[0][1]?.body));
    expect(body).toEqual({ experimentIds: ['1'], columns: columns.slice(0, 20) });
    expect(model.values(['1'], '', columns).value?.runIds).toEqual(['a']);

    model.values(['1'], 'bad', ['params.p0']);
    await flush();
    expect(model.values(['1'], 'bad', ['params.p0']).error).toBe('Expected a value (at position 3)');
    // Cleared: asked again.
    model.clear();
    model.values(['1'], '', columns);
    expect(fetch).toHaveBeenCalledTimes(3);
    model.dispose();
  });
});

describe('ExperimentListModel', () => {
  it('lists active experiments and keeps the checked ones', async () => {
    const fetch = jest.fn(async (): Promise<any> => ({
      experiments: [
        { id: '1', name: 'mnist', owner: 'ada', runCount: 3, lastRunTime: null, sharedWith: [], lifecycleStage: 'active' },
        { id: '2', name: 'old', owner: 'ada', runCount: 0, lastRunTime: null, sharedWith: [], lifecycleStage: 'deleted' }
      ]
    }));
    const model = new ExperimentListModel({ requestAPI: fetch as any, autoStart: false });
    await model.refresh();
    expect(model.experiments.map(e => e.name)).toEqual(['mnist']);
    model.toggle('1');
    model.toggle('2');
    // A checked experiment that is not listed is not compared.
    expect(model.checked).toEqual(['1']);
    expect(model.names.get('1')).toBe('mnist');
    model.toggle('1');
    expect(model.checked).toEqual([]);
    model.dispose();
  });
});
