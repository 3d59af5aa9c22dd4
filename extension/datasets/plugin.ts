import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IConveyor } from '../core/tokens';

/** The datasets feature (docs/dev/ml-platform-contract.md). */
export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:datasets',
  description: 'Conveyor datasets.',
  autoStart: true,
  requires: [IConveyor],
  activate: (_app: JupyterFrontEnd, _conveyor: IConveyor): void => {
    // Filled in by the datasets feature.
  }
};
