import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import type { ServerEvent, Workspace } from '../../../schema/generated/api';
import { WorkspacesModel, workspaceLabUrl } from '../model';
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
  it('puts the workspace under the Jupyter base URL, with a layout to clone', () => {
    expect(workspaceLabUrl('http://h:8888/user/ada/', ws('aaaaaaaaaaaa'))).toBe(
      'http://h:8888/user/ada/conveyor/workspaces/aaaaaaaaaaaa/lab'
    );
    expect(workspaceLabUrl('http://h:8888/', { id: 'bbbbbbbbbbbb' }, 'analysis')).toBe(
      'http://h:8888/conveyor/workspaces/bbbbbbbbbbbb/lab/workspaces/analysis?clone='
    );
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
