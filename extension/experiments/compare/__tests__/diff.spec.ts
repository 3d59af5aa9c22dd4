import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { Widget } from '@lumino/widgets';

import type { NotebookDiff } from '../../../../schema/generated/api';
import { NotebookDiffView } from '../../../runs/diffview';
import { openNotebookDiff } from '../diff';

const diff: NotebookDiff = {
  cells: [],
  params: { a: { lr: 0.1 }, b: { lr: 0.01 }, changed: ['lr'] },
  summary: { modified: 0, added: 0, removed: 0, moved: 0, unchanged: 0 }
};

/** The parts of the app the diff uses: the main area. */
function fakeApp(): { app: JupyterFrontEnd; main: Widget[]; activated: string[] } {
  const main: Widget[] = [];
  const activated: string[] = [];
  const shell = {
    widgets: () => main[Symbol.iterator](),
    add: (w: Widget) => main.push(w),
    activateById: (id: string) => activated.push(id)
  };
  return { app: { shell } as unknown as JupyterFrontEnd, main, activated };
}

describe('openNotebookDiff', () => {
  it('opens the runs diff view on GET experiments/diff?a=&b= and brings it back instead of a second one', async () => {
    const { app, main, activated } = fakeApp();
    const paths: string[] = [];
    const api = {
      requestAPI: async <T>(path: string): Promise<T> => {
        paths.push(path);
        return diff as unknown as T;
      }
    };
    const a = 'a'.repeat(32);
    const view = openNotebookDiff(app, api, { runId: a, name: 'first', params: { lr: '0.1' } }, 'b'.repeat(32));
    expect(view).toBeInstanceOf(NotebookDiffView);
    expect(main).toEqual([view]);
    expect(view.title.label).toBe(`Diff first ↔ bbbbbbbb`);
    await Promise.resolve();
    expect(paths).toEqual([`experiments/diff?a=${a}&b=${'b'.repeat(32)}`]);

    const again = openNotebookDiff(app, api, a, 'b'.repeat(32));
    expect(again).toBe(view);
    expect(main).toHaveLength(1);
    expect(activated).toEqual([view.id, view.id]);
    view.dispose();
  });
});
