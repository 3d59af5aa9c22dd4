import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { Workspace } from '../../../schema/generated/api';
import { WorkspaceAction, WorkspacesModel } from '../model';
import { WorkspacesView } from '../panel';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');

function ws(id: string, name: string, status: Workspace['status']): Workspace {
  return {
    id,
    owner: 'ada',
    access: 'owner',
    name,
    image: 'conveyor/workspace:dev',
    profile: 'small',
    status,
    url: `/conveyor/workspaces/${id}/lab`,
    idleSeconds: 3600,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    stoppedAt: null,
    lastActivityAt: null,
    ageSeconds: 7300,
    cost: 0.25,
    error: status === 'failed' ? 'image not found' : null
  };
}

let container: HTMLElement;
let root: Root;
let model: WorkspacesModel;
let list: Workspace[];
const actions: string[] = [];

async function render(): Promise<void> {
  await act(async () => {
    root.render(
      <WorkspacesView
        model={model}
        trans={trans}
        onNew={() => actions.push('new')}
        onOpen={w => actions.push(`open ${w.name}`)}
        onAction={(w, a: WorkspaceAction) => actions.push(`${a} ${w.name}`)}
        onShare={w => actions.push(`share ${w.name}`)}
        onDelete={w => actions.push(`delete ${w.name}`)}
      />
    );
  });
}

const row = (name: string) => container.querySelector(`[data-testid="conveyor-workspace"][data-name="${name}"]`) as HTMLElement;
const button = (name: string, testid: string) =>
  row(name).querySelector(`[data-testid="conveyor-workspace-${testid}"]`) as HTMLButtonElement | null;

beforeEach(async () => {
  actions.length = 0;
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  list = [ws('aaaaaaaaaaaa', 'lab', 'running'), ws('bbbbbbbbbbbb', 'old', 'stopped'), ws('cccccccccccc', 'bad', 'failed')];
  const requestAPI = async <T,>(): Promise<T> => ({ workspaces: list }) as T;
  model = new WorkspacesModel({ requestAPI, autoStart: false });
  await model.refresh();
  await render();
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  model.dispose();
});

describe('WorkspacesView', () => {
  it('shows each workspace with its status, image, profile, age and cost', () => {
    const lab = row('lab');
    expect(lab.getAttribute('data-status')).toBe('running');
    expect(lab.querySelector('[data-testid="conveyor-workspace-status"]')!.textContent).toBe('Running');
    expect(lab.textContent).toContain('conveyor/workspace:dev');
    expect(lab.textContent).toContain('small');
    expect(lab.textContent).toContain('2h old');
    expect(lab.querySelector('[data-testid="conveyor-workspace-cost"]')!.textContent).toBe('$0.25');
    expect(row('bad').querySelector('[role="alert"]')!.textContent).toBe('image not found');
  });

  it('offers Stop and Restart on a running workspace, Start on a stopped one', async () => {
    expect(button('lab', 'stop')).not.toBeNull();
    expect(button('lab', 'start')).toBeNull();
    expect(button('lab', 'restart')!.disabled).toBe(false);
    expect(button('old', 'start')).not.toBeNull();
    expect(button('old', 'restart')!.disabled).toBe(true);
    await act(async () => {
      button('lab', 'stop')!.click();
      button('old', 'start')!.click();
      button('lab', 'open')!.click();
      button('old', 'share')!.click();
      button('old', 'delete')!.click();
    });
    expect(actions).toEqual(['stop lab', 'start old', 'open lab', 'share old', 'delete old']);
    expect(button('lab', 'stop')!.getAttribute('aria-label')).toBe('Stop lab');
  });

  it('disables start and stop while a workspace is starting', async () => {
    list = [ws('aaaaaaaaaaaa', 'lab', 'starting')];
    await model.refresh();
    await render();
    expect(button('lab', 'start')!.disabled).toBe(true);
    expect(button('lab', 'restart')!.disabled).toBe(true);
    expect(button('lab', 'delete')!.disabled).toBe(false);
  });

  it('lists workspaces shared with the caller apart, with their scope and only Open', async () => {
    const shared = (id: string, name: string, access: string) => ({ ...ws(id, name, 'running'), owner: 'bob', access }) as Workspace;
    list = [ws('aaaaaaaaaaaa', 'lab', 'running'), shared('dddddddddddd', 'bobs', 'view'), shared('eeeeeeeeeeee', 'pair', 'collaborate')];
    await model.refresh();
    await render();
    const section = container.querySelector('[data-testid="conveyor-workspaces-shared"]') as HTMLElement;
    expect(section.getAttribute('aria-labelledby')).toBe('jp-conveyor-workspaces-shared');
    expect(container.querySelector('#jp-conveyor-workspaces-shared')!.textContent).toBe('Shared with me');
    expect([...section.querySelectorAll('[data-testid="conveyor-workspace"]')].map(r => r.getAttribute('data-name'))).toEqual(['bobs', 'pair']);
    expect(row('bobs').querySelector('[data-testid="conveyor-workspace-scope"]')!.textContent).toBe('View only');
    expect(row('pair').querySelector('[data-testid="conveyor-workspace-scope"]')!.textContent).toBe('Collaborate');
    expect(row('bobs').textContent).toContain('by bob');
    for (const testid of ['stop', 'start', 'restart', 'share', 'delete']) {
      expect(button('bobs', testid)).toBeNull();
    }
    expect(button('lab', 'share')).not.toBeNull();
    await act(async () => button('bobs', 'open')!.click());
    expect(actions).toEqual(['open bobs']);
    // The owner's count is of their own workspaces.
    expect(container.textContent).toContain('1 workspace');
  });

  it('invites to start a first workspace when there is none', async () => {
    list = [];
    await model.refresh();
    await render();
    expect(container.querySelectorAll('[data-testid="conveyor-workspace"]')).toHaveLength(0);
    expect(container.textContent).toContain('No workspace yet');
    await act(async () => {
      (container.querySelector('[data-testid="conveyor-workspace-new"]') as HTMLButtonElement).click();
    });
    expect(actions).toEqual(['new']);
  });
});
