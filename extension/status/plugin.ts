import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IConveyor } from '../core/tokens';
import { StatusPanel } from './view';

/**
 * The first sidebar section: connection, versions, Docker engine, capacity and store.
 */
export const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:status',
  description: 'Shows the Conveyor server status in the Conveyor sidebar.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const panel = new StatusPanel(conveyor.connection, trans);
    conveyor.sidebar.addSection(panel, { rank: 0 });
  }
};
