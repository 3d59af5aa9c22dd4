import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IConveyor } from '../core/tokens';

/** The git feature (docs/dev/ml-platform-contract.md). */
export const gitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:git',
  description: 'Conveyor git.',
  autoStart: true,
  requires: [IConveyor],
  activate: (_app: JupyterFrontEnd, _conveyor: IConveyor): void => {
    // Filled in by the git feature.
  }
};
