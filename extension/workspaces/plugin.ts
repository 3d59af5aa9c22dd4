import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IConveyor } from '../core/tokens';

/** The workspaces feature (docs/dev/workspaces-contract.md). */
export const workspacesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:workspaces',
  description: 'Conveyor workspaces.',
  autoStart: true,
  requires: [IConveyor],
  activate: (_app: JupyterFrontEnd, _conveyor: IConveyor): void => {
    // Filled in by the workspaces feature.
  }
};
