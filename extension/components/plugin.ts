import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IConveyor } from '../core/tokens';

/** The components feature (docs/dev/ml-platform-contract.md). */
export const componentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:components',
  description: 'Conveyor components.',
  autoStart: true,
  requires: [IConveyor],
  activate: (_app: JupyterFrontEnd, _conveyor: IConveyor): void => {
    // Filled in by the components feature.
  }
};
