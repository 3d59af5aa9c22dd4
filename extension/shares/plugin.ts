import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IConveyor } from '../core/tokens';

/** The shares feature (docs/dev/workspaces-contract.md). */
export const sharesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:shares',
  description: 'Conveyor shares.',
  autoStart: true,
  requires: [IConveyor],
  activate: (_app: JupyterFrontEnd, _conveyor: IConveyor): void => {
    // Filled in by the shares feature.
  }
};
