import { nullTranslator } from '@jupyterlab/translation';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { DatasetsModel } from '../model';
import { DatasetsSection } from '../section';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');

/** Renders the section's view (protected) without attaching the widget. */
class Probe extends DatasetsSection {
  view(): JSX.Element {
    return this.renderView();
  }
}

describe('Datasets section inside a managed workspace', () => {
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

  async function render(canRegister?: () => boolean): Promise<void> {
    const model = new DatasetsModel({ requestAPI: (async () => ({ datasets: [] })) as any, autoStart: false });
    const noop = () => undefined;
    const probe = new Probe({
      model,
      trans,
      me: () => 'ada',
      actions: { onRegister: noop, canRegister, onOpen: noop, onDiff: noop, onCopy: noop, onTag: noop }
    });
    await act(async () => {
      root.render(probe.view());
    });
    probe.dispose();
    model.dispose();
  }

  it('offers "Register a dataset version" outside a workspace only', async () => {
    await render(() => false);
    expect(container.querySelector('[data-testid="conveyor-dataset-register"]')).toBeNull();
    await render(() => true);
    expect(container.querySelector('[data-testid="conveyor-dataset-register"]')?.getAttribute('aria-label')).toBe('Register a dataset version');
    await render(undefined);
    expect(container.querySelector('[data-testid="conveyor-dataset-register"]')).not.toBeNull();
  });
});
