import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IConveyor } from '../core/tokens';

/** The pipeline-editor feature (docs/dev/ml-platform-contract.md). */
export const pipelineEditorPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:pipeline-editor',
  description: 'Conveyor pipeline-editor.',
  autoStart: true,
  requires: [IConveyor],
  activate: (_app: JupyterFrontEnd, _conveyor: IConveyor): void => {
    // Filled in by the pipeline-editor feature.
  }
};
