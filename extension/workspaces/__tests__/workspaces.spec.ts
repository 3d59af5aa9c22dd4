import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import type { ServerEvent, Workspace } from '../../../schema/generated/api';
import { accessOf, WorkspacesModel, workspaceEntryUrl, workspaceLabUrl } from '../model';
import { stopNotice, workspaceFailure } from '../errors';
import {
  formatAge,
  formatCost,
  initialValues,
  loadChoices,
  startErrors,
  suggestName,
  toCreateRequest
} from '../start';

const trans = nullTranslator.load('jupyterlab_conveyor');

function ws(id: string, patch: Partial<Workspace> = {}): Workspace {
  return {
    id,
    owner: 'ada',
    access: 'owner',
    name: `w-${id}`,
    image: 'conveyor/workspace:dev',
    profile: 'small',
    status: 'running',
    url: `/conveyor/workspaces/${id}/lab`,
    idleSeconds: 3600,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: '2026-01-01T00:00:00Z',
    stoppedAt: null,
    lastActivityAt: null,
    ageSeconds: 60,
    cost: 0.01,
    error: null,
    ...patch
  };
}

interface ICall {
  path: string;
  method: string;
  body?: unknown;
}

/** A fake API answering from a table of handlers, recording every call. */
function fakeAPI(handlers: Record<string, (call: ICall) => unknown>) {
  const calls: ICall[] = [];
  const requestAPI = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const call = { path, method: init.method ?? 'GET', body: init.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const handler = handlers[`${call.method} ${path}`];
    if (!handler) {
      throw new Error(`unexpected ${call.method} ${path}`);
    }
    return handler(call) as T;
  };
  return { calls, requestAPI };
}

describe('WorkspacesModel', () => {
  let model: WorkspacesModel;
  afterEach(() => model?.dispose());

  it('lists the workspaces and shows the server error when the list fails', async () => {
    let fail = false;
    const api = fakeAPI({
      'GET workspaces': () => {
        if (fail) {
          throw new Error('engine down');
        }
        return { workspaces: [ws('aaaaaaaaaaaa'), ws('bbbbbbbbbbbb', { status: 'stopped' })] };
      }
    });
    model = new WorkspacesModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    expect(model.workspaces.map(w => w.id)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
    expect(model.error).toBeNull();
    expect(model.transitioning).toBe(false);
    fail = true;
    await model.refresh();
    expect(model.error).toBe('engine down');
    // The last good list stays on screen.
    expect(model.workspaces).toHaveLength(2);
  });

  it('creates a workspace, lists it first and follows it while it starts', async () => {
    let listed = 0;
    let secondList!: () => void;
    const followed = new Promise<void>(resolve => (secondList = resolve));
    const api = fakeAPI({
      'POST workspaces': () => ws('cccccccccccc', { status: 'starting', name: 'new' }),
      'GET workspaces': () => {
        listed++;
        secondList();
        return { workspaces: [ws('cccccccccccc', { status: 'running', name: 'new' }), ws('aaaaaaaaaaaa')] };
      }
    });
    model = new WorkspacesModel({ requestAPI: api.requestAPI, autoStart: false, transitionInterval: 0 });
    const created = await model.create({ name: 'new', image: 'img', profile: 'small', idleSeconds: 600 });
    expect(created.status).toBe('starting');
    expect(api.calls[0]).toEqual({
      path: 'workspaces',
      method: 'POST',
      body: { name: 'new', image: 'img', profile: 'small', idleSeconds: 600 }
    });
    expect(model.workspaces[0].name).toBe('new');
    expect(model.transitioning).toBe(true);
    // A starting workspace makes the model look again without waiting for the poll.
    await followed;
    await model.refresh();
    expect(listed).toBeGreaterThanOrEqual(1);
    expect(model.workspaces[0].status).toBe('running');
    expect(model.transitioning).toBe(false);
  });

  it('stops a workspace, marks it busy meanwhile and shows the answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>(resolve => (release = resolve));
    const api = fakeAPI({
      'GET workspaces': () => ({ workspaces: [ws('aaaaaaaaaaaa')] }),
      'POST workspaces/aaaaaaaaaaaa/stop': async () => {
        await gate;
        return ws('aaaaaaaaaaaa', { status: 'stopped' });
      }
    });
    model = new WorkspacesModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    const stopping = model.act('aaaaaaaaaaaa', 'stop');
    expect(model.isBusy('aaaaaaaaaaaa')).toBe(true);
    release();
    const stopped = await stopping;
    expect(stopped.status).toBe('stopped');
    expect(model.isBusy('aaaaaaaaaaaa')).toBe(false);
    expect(model.workspaces[0].status).toBe('stopped');
  });

  it('keeps the row and clears busy when an action is refused', async () => {
    const api = fakeAPI({
      'GET workspaces': () => ({ workspaces: [ws('aaaaaaaaaaaa', { status: 'stopped' })] }),
      'POST workspaces/aaaaaaaaaaaa/start': () => {
        throw new Error('Quota exceeded: 4 CPUs in use');
      }
    });
    model = new WorkspacesModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    await expect(model.act('aaaaaaaaaaaa', 'start')).rejects.toThrow('Quota exceeded');
    expect(model.isBusy('aaaaaaaaaaaa')).toBe(false);
    expect(model.workspaces[0].status).toBe('stopped');
  });

  it('deletes with ?volume=true only when asked to', async () => {
    const api = fakeAPI({
      'GET workspaces': () => ({ workspaces: [ws('aaaaaaaaaaaa'), ws('bbbbbbbbbbbb')] }),
      'DELETE workspaces/aaaaaaaaaaaa': () => undefined,
      'DELETE workspaces/bbbbbbbbbbbb?volume=true': () => undefined
    });
    model = new WorkspacesModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    await model.remove('aaaaaaaaaaaa', false);
    expect(model.workspaces.map(w => w.id)).toEqual(['bbbbbbbbbbbb']);
    await model.remove('bbbbbbbbbbbb', true);
    expect(model.workspaces).toEqual([]);
    expect(api.calls.filter(c => c.method === 'DELETE').map(c => c.path)).toEqual([
      'workspaces/aaaaaaaaaaaa',
      'workspaces/bbbbbbbbbbbb?volume=true'
    ]);
  });

  it('reloads on a workspace event and ignores other events', async () => {
    const events = new Signal<unknown, ServerEvent>({});
    let lists = 0;
    let listed!: () => void;
    const reloaded = new Promise<void>(resolve => (listed = resolve));
    const api = fakeAPI({
      'GET workspaces': () => {
        lists++;
        listed();
        return { workspaces: [] };
      }
    });
    model = new WorkspacesModel({ requestAPI: api.requestAPI, events, autoStart: false });
    events.emit({ type: 'run', runId: 'r1', status: 'running' });
    expect(lists).toBe(0);
    events.emit({ type: 'workspace', id: 'aaaaaaaaaaaa', status: 'stopped' } as unknown as ServerEvent);
    await reloaded;
    expect(lists).toBe(1);
  });
});

describe('workspaceLabUrl', () => {
  it('puts the workspace under the Jupyter base URL; shared ones open at their entry', () => {
    expect(workspaceLabUrl('http://h:8888/user/ada/', ws('aaaaaaaaaaaa'))).toBe(
      'http://h:8888/user/ada/conveyor/workspaces/aaaaaaaaaaaa/lab'
    );
    expect(workspaceEntryUrl('http://h:8888/', 'bbbbbbbbbbbb')).toBe('http://h:8888/conveyor/workspaces/bbbbbbbbbbbb/');
    expect(workspaceEntryUrl('http://h:8888/', 'bbbbbbbbbbbb', 'paper v2')).toBe(
      'http://h:8888/conveyor/workspaces/bbbbbbbbbbbb/?layout=paper%20v2'
    );
  });
});

describe('workspaces shared with the caller', () => {
  it('splits the list by access; a list without the field is all the caller\'s', async () => {
    const shared = (id: string, access: string) => ({ ...ws(id, { owner: 'bob' }), access }) as Workspace;
    const api = fakeAPI({
      'GET workspaces': () => ({
        workspaces: [ws('aaaaaaaaaaaa'), shared('bbbbbbbbbbbb', 'view'), shared('cccccccccccc', 'collaborate'), { ...ws('dddddddddddd'), access: 'owner' }]
      })
    });
    const model = new WorkspacesModel({ requestAPI: api.requestAPI, autoStart: false });
    await model.refresh();
    expect(model.mine.map(w => w.id)).toEqual(['aaaaaaaaaaaa', 'dddddddddddd']);
    expect(model.shared.map(w => [w.id, accessOf(w)])).toEqual([
      ['bbbbbbbbbbbb', 'view'],
      ['cccccccccccc', 'collaborate']
    ]);
    expect(accessOf({ ...ws('eeeeeeeeeeee'), access: 'admin' } as unknown as Workspace)).toBe('owner');
    model.dispose();
  });

  it('shows the status a workspace event carries at once, then reads the list again', async () => {
    const events = new Signal<unknown, ServerEvent>({});
    let answer = [ws('aaaaaaaaaaaa', { status: 'starting' })];
    let listed!: () => void;
    let reloaded = new Promise<void>(resolve => (listed = resolve));
    const api = fakeAPI({
      'GET workspaces': () => {
        listed();
        return { workspaces: answer };
      }
    });
    const model = new WorkspacesModel({ requestAPI: api.requestAPI, events, autoStart: false, transitionInterval: 60_000 });
    await model.refresh();
    reloaded = new Promise<void>(resolve => (listed = resolve));
    answer = [ws('aaaaaaaaaaaa', { status: 'running', cost: 0.02 })];
    events.emit({ type: 'workspace', id: 'aaaaaaaaaaaa', name: 'w', status: 'running' } as unknown as ServerEvent);
    expect(model.workspaces[0].status).toBe('running');
    expect(model.workspaces[0].cost).toBe(0.01);
    await reloaded;
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.workspaces[0].cost).toBe(0.02);
    // An unknown status is not shown.
    events.emit({ type: 'workspace', id: 'aaaaaaaaaaaa', status: 'exploded' } as unknown as ServerEvent);
    expect(model.workspaces[0].status).toBe('running');
    model.dispose();
  });
});

describe('refusals and stops', () => {
  const refused = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('names budget, quota and read-only refusals and keeps the server explanation', () => {
    const budget = workspaceFailure(refused('budget_exceeded', 'The budget of ada for month is used up ($5.00 of $5.00)'), 'Could not start w', trans);
    expect(budget.title).toBe('Could not start w: your budget is used up');
    expect(budget.message).toContain('$5.00 of $5.00');
    expect(budget.showResources).toBe(true);
    const quota = workspaceFailure(refused('exceeds_quota', 'asks for 8 cpus but ada allows 4'), 'Could not start w', trans);
    expect(quota.title).toContain('larger than your quota');
    expect(quota.message).toContain('Choose a smaller resource profile');
    const busy = workspaceFailure(refused('quota_busy', '4 of 4 cpus in use'), 'Could not start w', trans);
    expect(busy.title).toContain('quota is in use');
    expect(busy.message).toContain('4 of 4 cpus in use');
    const readOnly = workspaceFailure(refused('workspace_read_only', 'This workspace is shared with you read-only'), 'Could not stop w', trans);
    expect(readOnly.showResources).toBe(false);
    expect(workspaceFailure(new Error('engine down'), 'Could not start w', trans)).toEqual({
      title: 'Could not start w',
      message: 'engine down',
      showResources: false
    });
  });

  it('explains stops by idle time or budget only', () => {
    expect(stopNotice({ type: 'workspace', name: 'w', status: 'stopping', reason: 'budget', message: 'Spent $5.' }, trans)).toBe(
      'Workspace w was stopped: your budget is used up. Spent $5.'
    );
    expect(stopNotice({ type: 'workspace', name: 'w', status: 'stopping', reason: 'idle' }, trans)).toContain('after its idle time');
    expect(stopNotice({ type: 'workspace', name: 'w', status: 'stopped' }, trans)).toBeNull();
    expect(stopNotice({ type: 'workspace', name: 'w', status: 'running', reason: 'idle' }, trans)).toBeNull();
    expect(stopNotice({ type: 'run', status: 'stopped', reason: 'idle' }, trans)).toBeNull();
  });
});

describe('the start form', () => {
  const existing = [ws('aaaaaaaaaaaa', { name: 'workspace-1' })];

  it('suggests a free name, the default image and the preferred profile', () => {
    expect(suggestName(existing)).toBe('workspace-2');
    const profile = (name: string) => ({ name, cpus: 1, memory: '1Gi', memoryBytes: 1, gpus: 0, pricePerHour: 0.1 });
    const values = initialValues(
      { images: ['a:1', 'b:2'], profiles: [profile('tiny'), profile('small')], defaultImage: 'b:2', errors: [] },
      existing
    );
    expect(values).toEqual({ name: 'workspace-2', image: 'b:2', profile: 'small', idleMinutes: '60' });
    const withWorkspaceImage = initialValues(
      { images: ['a:1', '127.0.0.1:5000/users/ada/workspace-gpu:1.0.0-b1', 'b:2'], profiles: [], defaultImage: 'b:2', errors: [] },
      []
    );
    expect(withWorkspaceImage.image).toBe('127.0.0.1:5000/users/ada/workspace-gpu:1.0.0-b1');
    expect(withWorkspaceImage.profile).toBe('');
  });

  it('refuses bad names, a taken name, empty pickers and idle timeouts out of range', () => {
    const good = { name: 'lab', image: 'a:1', profile: 'small', idleMinutes: '30' };
    expect(startErrors(good, existing, trans)).toEqual({});
    expect(Object.keys(startErrors({ ...good, name: '-x' }, existing, trans))).toEqual(['name']);
    expect(startErrors({ ...good, name: 'workspace-1' }, existing, trans).name).toContain('already');
    expect(Object.keys(startErrors({ ...good, image: '', profile: '' }, existing, trans))).toEqual(['image', 'profile']);
    for (const idle of ['0', '10081', '1.5', 'soon']) {
      expect(Object.keys(startErrors({ ...good, idleMinutes: idle }, existing, trans))).toEqual(['idleMinutes']);
    }
    expect(toCreateRequest({ ...good, name: ' lab ' })).toEqual({ name: 'lab', image: 'a:1', profile: 'small', idleSeconds: 1800 });
  });

  it('loads images and profiles like the Images and Resources sections, each failing alone', async () => {
    const api = fakeAPI({
      'GET images': () => [
        { id: 'sha256:1', tags: [], created: '', sizeBytes: 1, labels: {}, source: 'registry', ref: '127.0.0.1:5000/shared/ds:1.0.0-b1' },
        { id: 'sha256:2', tags: ['conveyor/workspace:0.1.0-b1', 'conveyor/workspace:dev'], created: '', sizeBytes: 1, labels: {}, source: 'engine' }
      ],
      'GET profiles': () => {
        throw new Error('resources not configured');
      },
      'GET images/default': () => ({ ref: 'conveyor/workspace:dev' })
    });
    const choices = await loadChoices(api.requestAPI);
    expect(choices.images).toEqual([
      '127.0.0.1:5000/shared/ds:1.0.0-b1',
      'conveyor/workspace:0.1.0-b1',
      'conveyor/workspace:dev'
    ]);
    expect(initialValues(choices, []).image).toBe('conveyor/workspace:dev');
    expect(choices.defaultImage).toBe('conveyor/workspace:dev');
    expect(choices.profiles).toEqual([]);
    expect(choices.errors).toEqual(['Profiles: resources not configured']);
  });

  it('formats age and cost compactly', () => {
    expect([45, 125, 7300, 200000].map(formatAge)).toEqual(['45s', '2m', '2h', '2d']);
    expect(formatCost(0)).toBe('$0.00');
    expect(formatCost(0.001)).toBe('<$0.01');
    expect(formatCost(1.234)).toBe('$1.23');
  });
});
