import type { JupyterFrontEnd } from '@jupyterlab/application';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import type { NotebookDiff } from '../../../schema/generated/api';
import type { IConveyor } from '../../core/tokens';
import { NotebookDiffView } from '../../runs/diffview';

/** A tracked run to diff: its id, or its id with a name and params to show in the header. */
export type DiffRun = string | { runId: string; name?: string; params?: { [k: string]: string | undefined } };

function side(run: DiffRun): NotebookDiffView.ISide {
  if (typeof run === 'string') {
    return { id: run, name: run.slice(0, 8) };
  }
  const params: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(run.params ?? {})) {
    if (v !== undefined) params[k] = v;
  }
  return { id: run.runId, name: run.name || run.runId.slice(0, 8), params };
}

/**
 * Open (or bring forward) the diff of two tracked runs' executed notebooks in the main area,
 * from `GET /experiments/diff?a=&b=`, in the runs feature's diff view.
 */
export function openNotebookDiff(
  app: JupyterFrontEnd,
  api: Pick<IConveyor, 'requestAPI'>,
  runA: DiffRun,
  runB: DiffRun,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_conveyor')
): NotebookDiffView {
  const a = side(runA);
  const b = side(runB);
  const open = Array.from(app.shell.widgets('main')).find(
    w => w.id === `jp-conveyor-diff-${a.id}-${b.id}`
  );
  if (open instanceof NotebookDiffView) {
    app.shell.activateById(open.id);
    return open;
  }
  const query = new URLSearchParams({ a: a.id, b: b.id });
  const view = new NotebookDiffView({
    a,
    b,
    trans,
    requestAPI: api.requestAPI.bind(api),
    fetchDiff: () => api.requestAPI<NotebookDiff>(`experiments/diff?${query}`)
  });
  app.shell.add(view, 'main');
  app.shell.activateById(view.id);
  return view;
}
