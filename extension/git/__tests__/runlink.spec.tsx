import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { Run } from '../../../schema/generated/api';
import { CommandIDs } from '../../core/commands';
import { RunBody } from '../../runs/runview';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = { __: (s: string, ...a: unknown[]) => a.reduce<string>((t, v, i) => t.replace(`%${i + 1}`, String(v)), s) } as any;

function runWith(source: Run['source']): Run {
  return {
    id: 'r1',
    name: 'train',
    owner: 'ada',
    experiment: 'default',
    status: 'succeeded',
    createdAt: '2026-11-23T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    params: {},
    parentId: null,
    resumedFrom: null,
    source,
    steps: []
  } as unknown as Run;
}

function render(run: Run, commands: CommandRegistry): { root: Root; node: HTMLElement } {
  const model = { run, changed: new Signal<unknown, void>({}), error: null, selectedStep: null };
  const body = new RunBody({ model: model as any, trans, commands, apiUrl: p => p, onOpenRun: () => undefined });
  const node = document.createElement('div');
  document.body.appendChild(node);
  const root = createRoot(node);
  act(() => root.render(body.render()));
  return { root, node };
}

describe('the run view’s link to the notebook’s commit', () => {
  it('opens the notebook as of the run’s commit, read-only, through the git command', () => {
    const commands = new CommandRegistry();
    const opened: unknown[] = [];
    commands.addCommand(CommandIDs.gitOpenVersion, { execute: args => void opened.push(args) });
    const commit = 'f'.repeat(40);
    const { root, node } = render(runWith({ path: 'project/train.ipynb', gitCommit: commit }), commands);
    const link = node.querySelector<HTMLAnchorElement>('[data-testid="conveyor-run-git-commit"]');
    expect(link?.textContent).toBe(commit.slice(0, 10));
    act(() => link!.click());
    expect(opened).toEqual([{ path: 'project/train.ipynb', ref: commit }]);
    act(() => root.unmount());
  });

  it('shows no link when the notebook was in no repository', () => {
    const commands = new CommandRegistry();
    commands.addCommand(CommandIDs.gitOpenVersion, { execute: () => undefined });
    const { root, node } = render(runWith({ path: 'train.ipynb', gitCommit: null }), commands);
    expect(node.querySelector('[data-testid="conveyor-run-source"]')?.textContent).toBe('train.ipynb');
    expect(node.querySelector('[data-testid="conveyor-run-git-commit"]')).toBeNull();
    act(() => root.unmount());
  });
});
