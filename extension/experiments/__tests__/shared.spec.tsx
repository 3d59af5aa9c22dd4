import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { ExperimentSummary } from '../../../schema/generated/api';
import { ExperimentsModel } from '../model';
import { missingNames, writesExperiments } from '../shared';
import { ExperimentsToolbar } from '../toolbar';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');

function exp(id: string, owner: string, name = `exp-${id}`): ExperimentSummary {
  return { id, name, owner, runCount: 1, lastRunTime: null, sharedWith: [], lifecycleStage: 'active' };
}

describe('experiments shared with the caller', () => {
  const mine = [exp('0', '', 'Default'), exp('3', 'ada'), exp('4', 'bob')];

  it('lets the caller mark candidates only in experiments they own (or Default)', () => {
    expect(writesExperiments(['3'], mine, 'ada')).toBe(true);
    expect(writesExperiments(['0', '3'], mine, 'ada')).toBe(true);
    // Shared with ada by bob (in her list, not hers), or opened through a comparison link (not in her list).
    expect(writesExperiments(['4'], mine, 'ada')).toBe(false);
    expect(writesExperiments(['3', '9'], mine, 'ada')).toBe(false);
    // Caller not known yet: only what is in the list.
    expect(writesExperiments(['4'], mine, null)).toBe(true);
    expect(writesExperiments(['9'], mine, null)).toBe(false);
  });

  it('asks only for the names it does not know', () => {
    expect(missingNames(['3', '9', '10'], new Map([['3', 'exp-3']]))).toEqual(['9', '10']);
    expect(missingNames([], new Map())).toEqual([]);
  });
});

describe('ExperimentsToolbar', () => {
  let container: HTMLElement;
  let root: Root;
  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  async function render(canMark: boolean | undefined): Promise<void> {
    const model = new ExperimentsModel({ requestAPI: (async () => ({})) as any, state: { experimentIds: ['9'] } });
    const noop = () => undefined;
    await act(async () => {
      root.render(
        <ExperimentsToolbar model={model} trans={trans} onCopyLink={noop} onDiff={noop} onMarkCandidate={noop} onRefresh={noop} canMark={canMark} />
      );
    });
    model.dispose();
  }

  it('hides Mark candidate and Unmark when the caller may not mark', async () => {
    await render(false);
    expect(container.querySelector('[data-testid="conveyor-exp-mark-candidate"]')).toBeNull();
    expect(container.querySelector('[data-testid="conveyor-exp-unmark-candidate"]')).toBeNull();
    expect(container.textContent).not.toContain('Unmark');
    await render(undefined);
    expect(container.querySelector('[data-testid="conveyor-exp-mark-candidate"]')?.textContent).toBe('Mark candidate');
    expect(container.querySelector('[data-testid="conveyor-exp-unmark-candidate"]')?.textContent).toBe('Unmark');
  });
});
