import { Signal } from '@lumino/signaling';

import type { Run, ServerEvent } from '../../../schema/generated/api';
import { RunsModel } from '../model';

function run(id: string, name: string, status: Run['status'] = 'succeeded'): Run {
  return {
    id,
    name,
    owner: 'ada',
    experiment: name,
    status,
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    params: {},
    parentId: null,
    resumedFrom: null,
    steps: []
  };
}

/** A fake API answering GET runs from a mutable list and recording the paths asked. */
function fakeAPI(runs: Run[]) {
  const calls: string[] = [];
  const requestAPI = async <T>(path: string): Promise<T> => {
    calls.push(path);
    const status = new URLSearchParams(path.split('?')[1]).get('status');
    return { runs: runs.filter(r => !status || r.status === status), nextCursor: null } as T;
  };
  return { calls, requestAPI };
}

describe('RunsModel', () => {
  let model: RunsModel;
  afterEach(() => model?.dispose());

  it('loads the runs and filters them by name', async () => {
    const api = fakeAPI([run('r1', 'train-mnist'), run('r2', 'eval-mnist'), run('r3', 'prep')]);
    model = new RunsModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    expect(model.runs.map(r => r.id)).toEqual(['r1', 'r2', 'r3']);
    model.query = 'MNIST';
    expect(model.filtered.map(r => r.id)).toEqual(['r1', 'r2']);
    model.query = 'r3';
    expect(model.filtered.map(r => r.id)).toEqual(['r3']);
  });

  it('asks the server for one status when filtered by status', async () => {
    const api = fakeAPI([run('r1', 'a', 'failed'), run('r2', 'b', 'succeeded')]);
    model = new RunsModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    model.statusFilter = 'failed';
    await model.refresh();
    expect(api.calls[api.calls.length - 1]).toContain('status=failed');
    expect(model.filtered.map(r => r.id)).toEqual(['r1']);
  });

  it('shows a run event at once and reloads the list after it', async () => {
    const runs = [run('r1', 'a', 'running')];
    const api = fakeAPI(runs);
    const events = new Signal<unknown, ServerEvent>({});
    model = new RunsModel({
      requestAPI: api.requestAPI,
      events: { events },
      autoStart: false,
      eventDebounce: 5
    });
    await model.refresh();
    const loads = api.calls.length;
    runs.push(run('r2', 'b', 'queued'));
    events.emit({ type: 'run', runId: 'r1', status: 'succeeded' });
    expect(model.find('r1')?.status).toBe('succeeded');
    await new Promise(resolve => setTimeout(resolve, 30));
    await model.refresh();
    expect(api.calls.length).toBeGreaterThan(loads);
    expect(model.runs.map(r => r.id)).toEqual(['r1', 'r2']);
  });

  it('keeps at most two runs checked for a diff', () => {
    model = new RunsModel({ requestAPI: fakeAPI([]).requestAPI, autoStart: false });
    model.toggleChecked('a');
    model.toggleChecked('b');
    model.toggleChecked('c');
    expect(model.checked).toEqual(['b', 'c']);
    model.toggleChecked('b');
    expect(model.checked).toEqual(['c']);
  });

  it('reports the server message when loading fails', async () => {
    const requestAPI = async () => {
      throw new Error('engine_unavailable');
    };
    model = new RunsModel({ requestAPI, autoStart: false });
    await model.refresh();
    expect(model.error).toBe('engine_unavailable');
  });
});
