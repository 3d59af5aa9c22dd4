import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { ConveyorAPIError } from '../../core/api';
import { ComponentsModel } from '../model';
import { ComponentsView } from '../panel';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyterlab_conveyor');
const refusal = (code: string, message: string) => new ConveyorAPIError(new Response(null, { status: 403 }), message, code);

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

async function render(model: ComponentsModel): Promise<void> {
  await act(async () => {
    root.render(<ComponentsView model={model} trans={trans} canInsert={() => false} onInsert={() => undefined} />);
  });
}

describe('Components section in a workspace opened with a view link', () => {
  it('shows a calm read-only note instead of the catalog refusal, and the catalog again once readable', async () => {
    let answer: () => Promise<unknown> = async () => {
      throw refusal('workspace_read_only', 'This workspace is shared with you read-only');
    };
    const model = new ComponentsModel({ requestAPI: (() => answer()) as any, autoStart: false });
    await model.refresh();
    expect(model.readOnly).toBe(true);
    expect(model.error).toBeNull();
    await render(model);
    const note = container.querySelector('[data-testid="conveyor-components-read-only"]');
    expect(note?.textContent).toBe('Read-only share: the catalog reads this workspace’s files, which a view link does not open.');
    expect(note?.getAttribute('role')).toBe('note');
    expect(container.querySelector('[role="alert"]')).toBeNull();
    expect(container.textContent).not.toContain('No components yet.');

    answer = async () => ({ components: [] });
    await model.refresh();
    await render(model);
    expect(model.readOnly).toBe(false);
    expect(container.querySelector('[data-testid="conveyor-components-read-only"]')).toBeNull();
    expect(container.textContent).toContain('No components yet.');
    model.dispose();
  });

  it('still shows other refusals as errors', async () => {
    const model = new ComponentsModel({
      requestAPI: (async () => {
        throw refusal('forbidden', 'Not yours');
      }) as any,
      autoStart: false
    });
    await model.refresh();
    await render(model);
    expect(model.readOnly).toBe(false);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe('Not yours');
    model.dispose();
  });
});
